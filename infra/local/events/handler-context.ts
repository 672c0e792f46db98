import type { Identity } from '../auth/types.js';
import type { Channel } from './channel.js';
import type { EventsError } from './errors.js';

/** `ctx.info.operation`. */
export const EventsOperation = {
  PUBLISH: 'PUBLISH',
  SUBSCRIBE: 'SUBSCRIBE',
} as const;
export type EventsOperation = (typeof EventsOperation)[keyof typeof EventsOperation];

/** One event as handlers see it in `ctx.events`. */
export interface IncomingEvent {
  id: string;
  payload: unknown;
}

/**
 * The `ctx` of a channel handler, and (with the Lambda-only fields) the event of a
 * direct Lambda handler.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/context-reference.html
 */
export interface HandlerContext {
  identity: Identity | null;
  result: unknown;
  stash: Record<string, unknown>;
  error: unknown;
  request: { headers: Record<string, string | string[]>; domainName: string | null };
  info: { channel: { path: string; segments: string[] }; channelNamespace: { name: string }; operation: EventsOperation };
  /** PUBLISH only. */
  events?: IncomingEvent[];
}

/** An event `onPublish` returned: broadcast it, or report it in `failed`. */
export type OutgoingEvent = { id: string; payload: unknown } | { id: string; error: string };

/** What the handlers decided about a publish. */
export type PublishDecision = { kind: 'broadcast'; events: OutgoingEvent[] } | { kind: 'error'; error: EventsError };

/** What the handlers decided about a subscribe. */
export type SubscribeDecision = { kind: 'allow' } | { kind: 'error'; error: EventsError };

/** A namespace's `onPublish` and `onSubscribe`, whatever runs them (APPSYNC_JS, Lambda, defaults). */
export interface ChannelHandlers {
  onPublish(ctx: HandlerContext): Promise<PublishDecision>;
  onSubscribe(ctx: HandlerContext): Promise<SubscribeDecision>;
}

/** Headers handlers never see. @see https://docs.aws.amazon.com/appsync/latest/eventapi/context-reference.html */
const HIDDEN_HEADERS = new Set(['cookie']);

/**
 * Builds a handler's `ctx` for one operation.
 *
 * @example
 * ```ts
 * const ctx = handlerContext({ channel, identity, headers, operation: 'SUBSCRIBE' });
 * ```
 */
export function handlerContext(input: {
  channel: Channel;
  identity: Identity | null;
  headers: Record<string, string | string[] | undefined>;
  operation: EventsOperation;
  events?: IncomingEvent[];
}): HandlerContext {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value !== undefined && !HIDDEN_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  return {
    identity: input.identity,
    result: null,
    stash: {},
    error: null,
    request: { headers, domainName: null },
    info: {
      channel: { path: input.channel.path, segments: [...input.channel.segments] },
      channelNamespace: { name: input.channel.namespace.name },
      operation: input.operation,
    },
    ...(input.operation === EventsOperation.PUBLISH ? { events: input.events ?? [] } : {}),
  };
}

/**
 * Checks what `onPublish` (code or Lambda) returned: an array of `{id, payload}` or
 * `{id, error}` whose ids are among the published events; `null` entries are skipped.
 * Returns the events, or a message saying what is wrong.
 *
 * @example
 * ```ts
 * const events = outgoingEvents(returned, ctx.events);
 * ```
 */
export function outgoingEvents(returned: unknown, incoming: readonly IncomingEvent[]): OutgoingEvent[] | string {
  if (returned === undefined || returned === null) return [];
  if (!Array.isArray(returned)) return 'onPublish must return an array of events.';
  const known = new Set(incoming.map((e) => e.id));
  const seen = new Set<string>();
  const events: OutgoingEvent[] = [];
  for (const entry of returned) {
    if (entry === null || entry === undefined) continue;
    if (typeof entry !== 'object' || typeof (entry as { id?: unknown }).id !== 'string') return 'Every event onPublish returns must have an id.';
    const { id } = entry as { id: string };
    if (!known.has(id)) return `onPublish returned an event with unknown id ${id}.`;
    if (seen.has(id)) return `onPublish returned event ${id} twice.`;
    seen.add(id);
    const error = (entry as { error?: unknown }).error;
    if (error !== undefined && error !== null) events.push({ id, error: typeof error === 'string' ? error : JSON.stringify(error) });
    else events.push({ id, payload: (entry as { payload?: unknown }).payload ?? null });
  }
  return events;
}
