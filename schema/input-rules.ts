/**
 * The checks a chat turn passes before anything is written, whichever way it came in:
 * the startChat mutation (resolvers/graphql/functions/validateChatInput.ts, APPSYNC_JS)
 * or a prompt published to `/prompts/{sub}` (functions/prompt-intake). One
 * implementation, so both ways refuse the same input with the same code and message.
 *
 * Written in the APPSYNC_JS subset (no regex literals, TextEncoder, try/throw or while)
 * because the resolvers bundle it too; failures are values, each side raises them its way.
 */
import { findModel } from './models.js';
import { ErrorCode } from './stream-protocol.js';

/**
 * Largest prompt a chat turn takes, in UTF-8 bytes. It keeps one request item and one
 * Lambda event far below DynamoDB's 400 KB item and Lambda's 256 KB async payload limits.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_PROMPT_SIZE_IN_BYTES = 32_768;

/** Longest id a client may choose (conversation ids, request ids). */
export const MAX_ID_LENGTH = 64;

/** maxTokens when the client gives none (capped by the model and the policy). */
export const DEFAULT_MAX_TOKENS = 1024;

/**
 * `maxTokens` of a turn whose client gave none. Null, not a number: every number a client
 * can send (0, -1, …) must be checked and refused, never mistaken for "use the default".
 */
export const MAX_TOKENS_NOT_GIVEN = null;

const ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The codes a refused turn carries (the error table in ./stream-protocol.ts). */
export type TurnCheckCode = typeof ErrorCode.VALIDATION | typeof ErrorCode.MODEL_NOT_ALLOWED;

/** What a turn is checked on. */
export interface TurnInput {
  conversationId: string;
  modelId: string;
  prompt: string;
  /** The caller's Cognito groups (admission decides what they allow, with any override). */
  groups: string[];
  /** What the client asked for, or {@link MAX_TOKENS_NOT_GIVEN} (null). */
  maxTokens: number | typeof MAX_TOKENS_NOT_GIVEN;
  /** The turn creates its conversation (the prompts way in; startChat stashes its own). */
  newConversation?: boolean;
}

/** A refusal: `info` is the GraphQL `errorInfo` (`{field}` or `{modelId}`). */
export interface TurnRefusal {
  ok: false;
  code: TurnCheckCode;
  message: string;
  info: { field?: string; modelId?: string };
}

/** The outcome of {@link checkChatTurn}: the maxTokens to ask admission for (null: its default), or why not. */
export type TurnCheck = { ok: true; maxTokens: number | typeof MAX_TOKENS_NOT_GIVEN } | TurnRefusal;

/**
 * UTF-8 size of `text` (APPSYNC_JS has no TextEncoder).
 *
 * @example
 * ```ts
 * utf8Size('é'); // 2
 * ```
 */
export function utf8Size(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) || 0;
    bytes = bytes + (code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4);
  }
  return bytes;
}

/**
 * True for 1–64 characters of letters, digits, `-` and `_` (APPSYNC_JS has no regex literals).
 *
 * @example
 * ```ts
 * isSafeId('conv-1'); // true
 * isSafeId('a/b'); // false
 * ```
 */
export function isSafeId(value: string): boolean {
  if (value.length < 1 || value.length > MAX_ID_LENGTH) return false;
  return value.split('').every((ch) => ID_CHARACTERS.includes(ch));
}

/**
 * A `ValidationError` refusal for `field`, worded `"<field>: <problem>"`.
 *
 * @example
 * ```ts
 * invalidField('prompt', 'must not be empty').message; // 'prompt: must not be empty'
 * ```
 */
export function invalidField(field: string, problem: string): TurnRefusal {
  return { ok: false, code: ErrorCode.VALIDATION, message: `${field}: ${problem}`, info: { field } };
}

/**
 * Checks a chat turn's shape (the one implementation: validateChatInput raises its
 * refusal, promptIntake publishes it): the prompt is not empty and at most
 * MAX_PROMPT_SIZE_IN_BYTES, the conversation id is well formed, the model exists, and an
 * explicit maxTokens is between 1 and the model's own cap. What the caller's policy allows
 * (the model, a lower output cap, the default maxTokens) depends on an admin's per-user
 * override, so admission (functions/gateway-api/admission.ts) decides it, for both ways in.
 *
 * @example
 * ```ts
 * const check = checkChatTurn({ conversationId: 'c1', modelId: 'sluice.simulator', prompt: 'Hi', groups: ['users'], maxTokens: MAX_TOKENS_NOT_GIVEN });
 * if (!check.ok) console.log(check.code, check.message);
 * ```
 */
export function checkChatTurn(turn: TurnInput): TurnCheck {
  if (turn.prompt.trim() === '') return invalidField('prompt', 'must not be empty');
  if (turn.prompt.length > MAX_PROMPT_SIZE_IN_BYTES || utf8Size(turn.prompt) > MAX_PROMPT_SIZE_IN_BYTES) {
    return invalidField('prompt', `must be at most ${MAX_PROMPT_SIZE_IN_BYTES} bytes of UTF-8`);
  }
  if (!isSafeId(turn.conversationId)) return invalidField('conversationId', 'must be 1-64 letters, digits, - or _');
  // A turn names a catalogue entry; the gateway picks the profile it calls (model-invocation).
  const model = findModel(turn.modelId);
  if (!model || model.id !== turn.modelId) return invalidField('modelId', `unknown model ${turn.modelId}`);
  const maxTokens = turn.maxTokens;
  if (maxTokens !== MAX_TOKENS_NOT_GIVEN && (maxTokens < 1 || maxTokens > model.maxOutputTokens)) {
    return invalidField('maxTokens', `must be between 1 and ${model.maxOutputTokens} for ${turn.modelId}`);
  }
  return { ok: true, maxTokens };
}
