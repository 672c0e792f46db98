/**
 * The promptIntake Lambda: the data source of the `prompts` namespace's onPublish
 * handler (resolvers/events/prompts.ts), invoked asynchronously (invocation type Event)
 * with the prompts a user published to `/prompts/{sub}`. Each prompt is validated and
 * admitted like a startChat mutation (./intake.ts), then streamed (the streaming handler
 * claims and records it); a refused
 * prompt becomes one `error` event on `/chat/{sub}/{conversationId}`.
 */
import { fitsAnotherAttempt, withInvocationDeadline } from '../shared/deadline.js';
import { EventsPublisher, PublishError } from '../shared/events-publisher.js';
import { logger } from '../shared/metrics.js';
import { chatChannel, type ErrorEvent } from '../../schema/stream-protocol.js';
import { streamChatTurn } from '../chat-stream/stream-chat-turn.js';
import { serveGatewayAction } from '../gateway-api/serve-action.js';
import { admitPrompt, type IntakeDeps } from './intake.js';
import { isPromptIntakeEvent, routablePrompts, type PromptCaller, type PublishedPrompt } from './prompt-event.js';

/** Attempts at publishing one `error` event before the invocation fails (and Lambda retries it). */
const ERROR_PUBLISH_ATTEMPTS = 3;
/** Backoff between those attempts, doubled each time. */
const ERROR_PUBLISH_BACKOFF_IN_MS = 100;

const deps: IntakeDeps = {
  // The gateway API Lambda's own work: admission is the very code the startChat
  // pipeline's admitChatTurn invokes, not a copy of it (never its entry point).
  admit: serveGatewayAction,
};
const publisher = new EventsPublisher({ url: requiredEnv('SLUICE_EVENTS_URL'), region: process.env.AWS_REGION ?? 'us-east-1' });

export function handler(event: unknown, context?: unknown): Promise<{ admitted: number; refused: number; duplicates: number }> {
  // Every retry below (ledger, publishes, Bedrock) stops when this invocation cannot fit another.
  return withInvocationDeadline(context, () => intakeAll(event, context));
}

async function intakeAll(event: unknown, context: unknown): Promise<{ admitted: number; refused: number; duplicates: number }> {
  if (!isPromptIntakeEvent(event)) {
    // A malformed event can never succeed: log it and return, so Lambda does not retry it.
    logger.error('promptIntake received an event that is not a prompt intake event', { event });
    return { admitted: 0, refused: 0, duplicates: 0 };
  }
  const { routable, unroutable } = routablePrompts(event.prompts);
  if (unroutable.length > 0) logger.error('promptIntake dropped prompts without a usable conversationId or requestId', { unroutable });
  const outcomes = await Promise.all(routable.map((prompt) => intake(prompt, event.caller, context)));
  const count = (kind: string) => outcomes.filter((k) => k === kind).length;
  const failedPublishes = count('unpublished');
  // Rethrown after the other prompts ran: Lambda retries the event, and the retry is a no-op
  // for the turns already admitted (admission and recording are idempotent on the request id).
  if (failedPublishes > 0) throw new Error(`${failedPublishes} error event(s) could not be published`);
  return { admitted: count('admitted'), refused: count('refused'), duplicates: count('duplicate') };
}

/**
 * Admits one prompt, then streams it in this same invocation. This function is already
 * an asynchronous (Event) invocation, so running the chat-stream work here costs the
 * client nothing, and it is how both hosts can start the turn: the twin's Lambda invoker
 * is not reachable from inside a function, and the AWS SDK Lambda client is not a
 * dependency. The cost is that promptIntake needs chatStream's timeout, memory and
 * Bedrock and publish grants (infra/gateway.ts).
 */
async function intake(prompt: PublishedPrompt, caller: PromptCaller, context: unknown): Promise<'admitted' | 'duplicate' | 'refused' | 'unpublished'> {
  const outcome = await admitPrompt(prompt, caller, deps);
  if (outcome.kind === 'refused') {
    logger.info('prompt refused', { requestId: prompt.requestId, userId: caller.sub, code: outcome.error.code });
    return (await publishError(chatChannel(caller.sub, prompt.conversationId), outcome.error)) ? 'refused' : 'unpublished';
  }
  // A duplicate still goes through: the streaming handler's claim streams it only if no earlier attempt did.
  // With this invocation's context: Lambda's retry of it ends a turn an earlier attempt claimed and died on.
  await streamChatTurn(outcome.request, context);
  return outcome.kind;
}

async function publishError(channel: string, error: ErrorEvent): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const attemptStartedAt = Date.now();
    try {
      await publisher.publish(channel, [error]);
      return true;
    } catch (failure) {
      const retryable = failure instanceof PublishError && failure.retryable;
      const delay = ERROR_PUBLISH_BACKOFF_IN_MS * 2 ** (attempt - 1);
      if (!retryable || attempt === ERROR_PUBLISH_ATTEMPTS || !fitsAnotherAttempt(delay, Date.now() - attemptStartedAt)) {
        logger.error('could not publish a refused prompt\'s error event', { channel, requestId: error.requestId, error: failure as Error });
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
