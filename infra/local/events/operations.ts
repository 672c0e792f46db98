import { randomUUID } from 'node:crypto';
import type { AuthMode, EventsApi } from '../../gateway.js';
import type { AuthRequest, Authorizer, Identity } from '../auth/types.js';
import { parseChannel, type Channel } from './channel.js';
import { EventsError } from './errors.js';
import { EventsOperation, handlerContext, type ChannelHandlers } from './handler-context.js';
import type { SubscriptionHub } from './hub.js';
import { JsonDepthError } from '../../../functions/shared/json-limits.js';
import { encodeEvent, type PublishResult } from './sender.js';
import { validateEvents } from './validation.js';

/** Credentials of one operation, minus the modes (the namespace decides those). */
export type OperationAuth = Omit<AuthRequest, 'allowedModes'>;

export interface PublishInput {
  channel: unknown;
  events: unknown;
  auth: OperationAuth;
  /** Headers handlers see as `ctx.request.headers`. */
  headers: Record<string, string | string[] | undefined>;
}

export interface SubscribeInput {
  channel: unknown;
  auth: OperationAuth;
  headers: Record<string, string | string[] | undefined>;
}

/** A subscription the caller may hold. */
export interface AcceptedSubscription {
  channel: Channel;
  identity: Identity | null;
}

/** Status code reported in `failed[]` for an event `onPublish` rejected. */
const HANDLER_REJECTED_EVENT_CODE = 400;

/** An event `onPublish` returned, serialised once for every subscriber; one too deep to send fails alone. */
function encodeOrRefuse(payload: unknown): { event: string } | { error: string } {
  try {
    return { event: encodeEvent(payload) };
  } catch (error) {
    if (error instanceof JsonDepthError) return { error: `The event ${error.message}` };
    throw error;
  }
}

/**
 * The Events operations both transports share (HTTP publish, WebSocket publish and
 * subscribe): channel rules, namespace auth modes, limits, channel handlers, delivery.
 * Every failure comes back as an {@link EventsError} value.
 *
 * @example
 * ```ts
 * const ops = new EventsOperations(manifest.events, authorizer, hub, (ns) => handlers.get(ns)!);
 * const result = await ops.publish({ channel: '/chat/x/c1', events: ['{"a":1}'], auth, headers });
 * ```
 */
export class EventsOperations {
  constructor(
    private readonly api: EventsApi,
    private readonly authorizer: Authorizer,
    private readonly hub: SubscriptionHub,
    private readonly handlersFor: (namespace: string) => ChannelHandlers,
  ) {}

  /** The modes allowed to connect: every auth provider of the API. */
  get connectModes(): readonly AuthMode[] {
    return this.api.authProviders;
  }

  async publish(input: PublishInput): Promise<PublishResult | EventsError> {
    const channel = parseChannel(input.channel, this.api.namespaces, { allowWildcard: false });
    if (channel instanceof EventsError) return channel;
    const modes = channel.namespace.publishAuthModes.length > 0 ? channel.namespace.publishAuthModes : this.api.defaultPublishAuthModes;
    const auth = await this.authorizer.authorize({ ...input.auth, allowedModes: modes });
    if (!auth.ok) return new EventsError(auth.status, auth.errorType, auth.message);
    const valid = validateEvents(input.events);
    if (valid instanceof EventsError) return valid;

    const incoming = valid.map((event) => ({ id: randomUUID(), payload: event.payload }));
    const ctx = handlerContext({ channel, identity: auth.identity, headers: input.headers, operation: EventsOperation.PUBLISH, events: incoming });
    const decision = await this.handlersFor(channel.namespace.name).onPublish(ctx);
    if (decision.kind === 'error') return decision.error;

    const indexOf = new Map<string, number>(incoming.map((event, index) => [event.id, index]));
    const result: PublishResult = { successful: [], failed: [] };
    const rejected = new Set<string>();
    const broadcast: string[] = [];
    for (const event of decision.events) {
      const encoded = 'error' in event ? event : encodeOrRefuse(event.payload);
      if ('error' in encoded) {
        rejected.add(event.id);
        result.failed.push({ identifier: event.id, index: indexOf.get(event.id)!, code: HANDLER_REJECTED_EVENT_CODE, message: encoded.error });
      } else {
        broadcast.push(encoded.event);
      }
    }
    // Events the handler filtered out were accepted, just not delivered: they count as successful.
    for (const [index, event] of incoming.entries()) {
      if (!rejected.has(event.id)) result.successful.push({ identifier: event.id, index });
    }
    this.hub.broadcast(channel.segments, broadcast);
    return result;
  }

  async subscribe(input: SubscribeInput): Promise<AcceptedSubscription | EventsError> {
    const channel = parseChannel(input.channel, this.api.namespaces, { allowWildcard: true });
    if (channel instanceof EventsError) return channel;
    const modes = channel.namespace.subscribeAuthModes.length > 0 ? channel.namespace.subscribeAuthModes : this.api.defaultSubscribeAuthModes;
    const auth = await this.authorizer.authorize({ ...input.auth, allowedModes: modes });
    if (!auth.ok) return new EventsError(auth.status, auth.errorType, auth.message);
    const ctx = handlerContext({ channel, identity: auth.identity, headers: input.headers, operation: EventsOperation.SUBSCRIBE });
    const decision = await this.handlersFor(channel.namespace.name).onSubscribe(ctx);
    if (decision.kind === 'error') return decision.error;
    return { channel, identity: auth.identity };
  }
}
