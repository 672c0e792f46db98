import { util, type Context } from '@aws-appsync/utils';
import { ErrorCode } from '../../schema/errors.js';
import { isSafeId } from '../../schema/input-rules.js';

/**
 * The `prompts` namespace: the second way to start a chat turn, for clients that keep one
 * Events socket. A signed-in user publishes `{ conversationId, modelId, prompt,
 * maxTokens?, requestId?, newConversation? }` to `/prompts/{sub}`; `onPublish` hands the prompts to the
 * promptIntake Lambda (invocation type Event, so the publish returns at once), which
 * validates and admits them exactly as startChat does and streams the turn, or an `error`
 * event, to `/chat/{sub}/{conversationId}`. See docs/stream-protocol.md.
 *
 * Only the shape a turn needs to be routed is checked here (the conversation id names
 * the chat channel errors go to); a publish that fails it is refused whole, with a
 * `ValidationError` the publisher sees in its publish response.
 */

type PromptsContext = Context & {
  info: { channel: { path: string; segments: string[] } };
  events: { id: string; payload: unknown }[];
};

interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

/** The Cognito caller, if the channel is exactly its own `/prompts/{sub}`; otherwise Unauthorized. */
function ownChannelCaller(ctx: PromptsContext): Caller {
  const identity = ctx.identity as { sub?: string; username?: string; groups?: string[] | null } | null;
  const segments = ctx.info.channel.segments;
  if (!identity || !identity.sub || segments.length !== 2 || segments[1] !== identity.sub) {
    util.unauthorized();
  }
  return { sub: identity.sub, username: identity.username || identity.sub, groups: identity.groups || [] };
}

/** A routable prompt for the Lambda; the turn's other fields are checked there, by the shared rules. */
function routable(event: { id: string; payload: unknown }) {
  const payload = event.payload as Record<string, unknown> | null;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    util.error('Each prompt must be a JSON object { conversationId, modelId, prompt, maxTokens?, requestId? }', ErrorCode.VALIDATION);
  }
  const conversationId = payload.conversationId;
  if (typeof conversationId !== 'string' || !isSafeId(conversationId)) {
    util.error('conversationId: must be 1-64 letters, digits, - or _', ErrorCode.VALIDATION);
  }
  const requestId = payload.requestId;
  if (requestId !== undefined && requestId !== null && (typeof requestId !== 'string' || !isSafeId(requestId))) {
    util.error('requestId: must be 1-64 letters, digits, - or _', ErrorCode.VALIDATION);
  }
  return {
    eventId: event.id,
    conversationId,
    // Named here, not in the Lambda, so Lambda's retries of one publish reuse the id (idempotent admission).
    requestId: typeof requestId === 'string' ? requestId : util.autoId(),
    modelId: payload.modelId,
    prompt: payload.prompt,
    maxTokens: payload.maxTokens,
    newConversation: payload.newConversation,
  };
}

/**
 * Only the owner subscribes to its `/prompts/{sub}` (nothing is broadcast there; see
 * onPublish). A plain function: it calls no data source, so the stack gives it none.
 */
export function onSubscribe(ctx: PromptsContext) {
  ownChannelCaller(ctx);
}

export const onPublish = {
  /** Starts the promptIntake Lambda asynchronously (invocation type Event) with the caller's prompts. */
  request(ctx: PromptsContext) {
    const caller = ownChannelCaller(ctx);
    return {
      operation: 'Invoke',
      invocationType: 'Event',
      payload: { caller, prompts: ctx.events.map((event) => routable(event)) },
    };
  },
  /**
   * Broadcasts nothing: a prompt is a request to the gateway, not a message for
   * subscribers (echoing it would bill one more message per prompt). Every event counts
   * as successful in the publish response; the turn answers on the chat channel.
   */
  response(ctx: PromptsContext) {
    if (ctx.error) {
      util.error(ctx.error.message, ctx.error.type);
    }
    return [];
  },
};
