/**
 * One wrapper around the AWS SDK's `NodeHttpHandler.prototype.handle` for every bench
 * recorder that watches the in-process Lambdas' HTTP requests (Events publishes, DynamoDB
 * calls) without touching gateway code. Taps come and go in any order; the original
 * `handle` is back once the last one is removed.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpRequest } from '@smithy/protocol-http';
import type { HttpHandlerOptions } from '@smithy/types';

/** How a tapped request ended: its status, or none when it failed without an answer. */
export interface TappedOutcome {
  statusCode?: number;
}

/** Looks at a request as it is handed to HTTP; returns what to call when it ends, or undefined to ignore it. */
export type HttpTap = (request: HttpRequest) => ((outcome: TappedOutcome) => void) | undefined;

const taps = new Set<HttpTap>();
let untappedHandle: NodeHttpHandler['handle'] | undefined;

/**
 * Adds `tap`; returns the function that removes it.
 * @example
 * const remove = addHttpTap((request) => (request.path === '/event' ? () => count++ : undefined));
 */
export function addHttpTap(tap: HttpTap): () => void {
  if (taps.size === 0) wrapHandle();
  taps.add(tap);
  return () => {
    if (!taps.delete(tap) || taps.size > 0 || !untappedHandle) return;
    NodeHttpHandler.prototype.handle = untappedHandle;
    untappedHandle = undefined;
  };
}

function wrapHandle(): void {
  const handle = NodeHttpHandler.prototype.handle;
  untappedHandle = handle;
  NodeHttpHandler.prototype.handle = async function tappedHandle(this: NodeHttpHandler, request: HttpRequest, options?: HttpHandlerOptions) {
    const ends = [...taps].flatMap((tap) => tap(request) ?? []);
    if (ends.length === 0) return handle.call(this, request, options);
    try {
      const result = await handle.call(this, request, options);
      for (const end of ends) end({ statusCode: result.response.statusCode });
      return result;
    } catch (error) {
      for (const end of ends) end({});
      throw error;
    }
  };
}
