import type { TwinComponent, TwinComponentFactory } from '../../infra/local/context.js';
import { EVENTS_HTTP_PATH } from '../../infra/local/events/constants.js';

/** Where a dropped publish's connection is cut: before the Events API saw it, or after it delivered the events. */
export type PublishDrop = 'before-delivery' | 'after-delivery';

/**
 * A twin component placed before the Events twin that, once armed, cuts the connection
 * of every `n`th HTTP publish (`POST /event`): a real network failure as the publisher
 * sees it, either before the events were delivered or after (the answer is lost, so the
 * publisher retries events subscribers already have).
 * @example
 * const flaky = flakyPublishes();
 * const twin = await startTestTwin({ components: [flaky.component, ...defaultComponents] });
 * flaky.arm(3, 'before-delivery');
 */
export function flakyPublishes() {
  let every = 0;
  let drop: PublishDrop = 'before-delivery';
  let seen = 0;
  let dropped = 0;
  const component: TwinComponentFactory = (): TwinComponent => ({
    name: 'flaky-publishes',
    handleRequest(req, res) {
      const isPublish = req.method === 'POST' && (req.url ?? '').split('?')[0] === EVENTS_HTTP_PATH;
      if (!isPublish || every === 0 || ++seen % every !== 0) return false;
      dropped++;
      if (drop === 'before-delivery') {
        req.socket.destroy();
        return true;
      }
      // Let the Events twin deliver, then cut the connection instead of answering.
      res.end = (() => {
        req.socket.destroy();
        return res;
      }) as typeof res.end;
      return false;
    },
  });
  return {
    component,
    /** Starts dropping every `n`th publish from now on. */
    arm(n: number, where: PublishDrop) {
      every = n;
      drop = where;
      seen = 0;
      dropped = 0;
    },
    disarm() {
      every = 0;
    },
    dropped: () => dropped,
  };
}
