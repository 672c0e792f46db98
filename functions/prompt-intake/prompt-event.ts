/**
 * The event the `prompts` namespace's onPublish handler (resolvers/events/prompts.ts)
 * sends the promptIntake Lambda, and how one published prompt becomes a checked turn.
 */
import { invalidField, isSafeId, MAX_TOKENS_NOT_GIVEN, type TurnInput, type TurnRefusal } from '../../schema/input-rules.js';

/** The signed-in user who published, as the handler read it from `ctx.identity`. */
export interface PromptCaller {
  sub: string;
  username: string;
  groups: string[];
}

/**
 * One published prompt. The handler has checked the routing fields (a well-formed
 * conversation id, and a request id: the client's own or one it named); the rest is as
 * the client sent it.
 */
export interface PublishedPrompt {
  eventId: string;
  conversationId: string;
  requestId: string;
  modelId?: unknown;
  prompt?: unknown;
  maxTokens?: unknown;
  /** True: the turn creates its conversation (no history read; ConversationExists if it exists). */
  newConversation?: unknown;
}

/** The promptIntake Lambda's event. */
export interface PromptIntakeEvent {
  caller: PromptCaller;
  prompts: PublishedPrompt[];
}

/**
 * Narrows the Lambda's event; prompts whose routing fields are unusable are dropped by
 * {@link routablePrompts}, not here, so one bad prompt does not hide the others.
 *
 * @example
 * ```ts
 * if (!isPromptIntakeEvent(event)) return { status: 'rejected' };
 * ```
 */
export function isPromptIntakeEvent(value: unknown): value is PromptIntakeEvent {
  const v = value as { caller?: { sub?: unknown; username?: unknown; groups?: unknown }; prompts?: unknown } | null;
  return Boolean(
    v &&
      typeof v.caller === 'object' &&
      typeof v.caller.sub === 'string' &&
      typeof v.caller.username === 'string' &&
      Array.isArray(v.caller.groups) &&
      v.caller.groups.every((g) => typeof g === 'string') &&
      Array.isArray(v.prompts),
  );
}

/**
 * The prompts that name a channel and a request id the gateway can use; the others are
 * returned apart (the onPublish handler refuses them, so they reach here only if the
 * function is invoked some other way).
 *
 * @example
 * ```ts
 * const { routable, unroutable } = routablePrompts(event.prompts);
 * ```
 */
export function routablePrompts(prompts: unknown[]): { routable: PublishedPrompt[]; unroutable: unknown[] } {
  const routable: PublishedPrompt[] = [];
  const unroutable: unknown[] = [];
  for (const prompt of prompts) {
    const p = prompt as Partial<PublishedPrompt> | null;
    const ok = Boolean(p && typeof p.conversationId === 'string' && isSafeId(p.conversationId) && typeof p.requestId === 'string' && isSafeId(p.requestId));
    if (ok) routable.push(p as PublishedPrompt);
    else unroutable.push(prompt);
  }
  return { routable, unroutable };
}

/**
 * The turn a prompt asks for, typed as the startChat mutation's schema types its input
 * (the Events path has no schema to do it): `modelId` and `prompt` strings, `maxTokens`
 * a whole number or absent.
 *
 * @example
 * ```ts
 * const turn = turnInput(prompt, caller);
 * if ('ok' in turn) publishError(turn);
 * ```
 */
export function turnInput(prompt: PublishedPrompt, caller: PromptCaller): TurnInput | TurnRefusal {
  if (typeof prompt.modelId !== 'string') return invalidField('modelId', 'must be a string naming a model');
  if (typeof prompt.prompt !== 'string') return invalidField('prompt', 'must be a string');
  const maxTokens = prompt.maxTokens;
  if (maxTokens !== undefined && maxTokens !== null && !Number.isSafeInteger(maxTokens)) return invalidField('maxTokens', 'must be a whole number');
  const { newConversation } = prompt;
  if (newConversation !== undefined && newConversation !== null && typeof newConversation !== 'boolean') return invalidField('newConversation', 'must be true or false');
  return {
    conversationId: prompt.conversationId,
    modelId: prompt.modelId,
    prompt: prompt.prompt,
    groups: caller.groups,
    // Any explicit number is checked as sent; only an absent or null maxTokens means "not given".
    maxTokens: maxTokens === undefined || maxTokens === null ? MAX_TOKENS_NOT_GIVEN : (maxTokens as number),
    newConversation: newConversation === true,
  };
}
