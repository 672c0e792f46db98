import type { TwinComponent, TwinComponentFactory, TwinContext } from '../context.js';
import { createAuthorizer } from '../auth/authorizer.js';
import { EVENTS_HTTP_PATH, EVENTS_REALTIME_PATH, KEEP_ALIVE_INTERVAL_IN_MS, MAX_CONNECTION_DURATION_IN_MS } from './constants.js';
import type { ChannelHandlers } from './handler-context.js';
import { namespaceHandlers } from './handlers.js';
import { handlePublishRequest } from './http.js';
import { SubscriptionHub } from './hub.js';
import { EventsOperations } from './operations.js';
import { createRealtimeServer } from './realtime.js';

export interface EventsComponentOptions {
  /** How often connections get `ka`. @default KEEP_ALIVE_INTERVAL_IN_MS (60 s) */
  keepAliveIntervalMs?: number;
  /** How long a connection may stay open. @default MAX_CONNECTION_DURATION_IN_MS (24 h) */
  maxConnectionDurationMs?: number;
}

/**
 * The AppSync Events twin as a twin component: HTTP publish at `/event` and the
 * WebSocket at `/event/realtime`, serving the manifest's namespaces with their auth
 * modes and channel handlers.
 *
 * @example
 * ```ts
 * const twin = await startTestTwin({ components: [eventsComponentWith({ keepAliveIntervalMs: 200 })] });
 * ```
 */
export function eventsComponentWith(options: EventsComponentOptions = {}): TwinComponentFactory {
  return function eventsComponent(context: TwinContext): TwinComponent {
    const { manifest, log } = context;
    const hub = new SubscriptionHub();
    const handlers = new Map<string, ChannelHandlers>(
      manifest.events.namespaces.map((ns) => [
        ns.name,
        namespaceHandlers(ns, { lambda: context.lambda, dataSources: manifest.dataSources, log }),
      ]),
    );
    const authorizer = createAuthorizer(context);
    const operations = new EventsOperations(manifest.events, authorizer, hub, (name) => handlers.get(name)!);
    const realtime = createRealtimeServer({
      authorizer,
      operations,
      hub,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? KEEP_ALIVE_INTERVAL_IN_MS,
      maxDurationMs: options.maxConnectionDurationMs ?? MAX_CONNECTION_DURATION_IN_MS,
      log,
    });
    return {
      name: 'events',
      describe: () => [
        `AppSync Events (HTTP)   ${context.url}${EVENTS_HTTP_PATH}`,
        `AppSync Events (WSS)    ${context.url.replace(/^https:/, 'wss:')}${EVENTS_REALTIME_PATH}  namespaces: ${manifest.events.namespaces.map((ns) => ns.name).join(', ')}`,
      ],
      handleRequest: (req, res) => handlePublishRequest(req, res, operations),
      handleUpgrade: (req, socket, head) => realtime.handleUpgrade(req, socket, head),
      close: () => realtime.close(),
    };
  };
}

/** The Events twin with AWS's timings; the entry of `defaultComponents`. */
export const eventsComponent: TwinComponentFactory = eventsComponentWith();
