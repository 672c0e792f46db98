/**
 * What the caller's effective policy (groups combined, then an admin's per-user override)
 * lets them do: which models `Query.models` lists, and whether a chat turn is admitted.
 * Admission is the one place that decides ModelNotAllowed and the policy's output cap, so
 * an override's `allowedModels` or `maxOutputTokens` counts the same in both.
 */
import { MODELS } from '../shared/config.js';
import { newMessageId } from '../shared/conversation-store.js';
import { admissionPolicy, ledgerBusy, nowFrom, reserve, type AdmissionError, type LedgerDeps, type TransactItems } from '../shared/ledger/index.js';
import { estimateInputTokens, findModel } from '../shared/pricing.js';
import { isModelAllowed, type EffectivePolicy } from '../shared/policy.js';
import { DEFAULT_MAX_TOKENS, MAX_TOKENS_NOT_GIVEN } from '../shared/turn-validation.js';
import { TURN_RECORD_ITEM, turnRecordItems, type TurnTables } from '../shared/turn-record.js';

// One default and one "not given" marker for both ways in (startChat and /prompts/{sub}).
export { DEFAULT_MAX_TOKENS, MAX_TOKENS_NOT_GIVEN };

/** A model as the schema's `Model` type. */
export interface ModelView {
  id: string;
  label: string;
  provider: string;
  maxOutputTokens: number;
  price: { inputUsd: number; outputUsd: number; cacheReadUsd: number; cacheWriteUsd: number };
}

/**
 * The models a policy allows, in the config's order, with prices (USD per million tokens).
 * @example
 * allowedModelViews(effectivePolicy(['users'])).map((m) => m.id); // ['sluice.simulator', 'amazon.nova-micro-v1:0', …]
 */
export function allowedModelViews(policy: EffectivePolicy): ModelView[] {
  return MODELS.filter((model) => isModelAllowed(policy, model.id)).map((model) => ({
    id: model.id,
    label: model.label,
    provider: model.provider,
    // The caller can never ask for more than its policy allows, so that is the cap it sees.
    maxOutputTokens: Math.min(model.maxOutputTokens, policy.maxOutputTokens),
    price: {
      inputUsd: model.usdPerMillionTokens.input,
      outputUsd: model.usdPerMillionTokens.output,
      cacheReadUsd: model.usdPerMillionTokens.cacheRead,
      cacheWriteUsd: model.usdPerMillionTokens.cacheWrite,
    },
  }));
}

/** What startChat asks admission for. */
export interface AdmitInput {
  userId: string;
  groups: readonly string[];
  requestId: string;
  modelId: string;
  prompt: string;
  /** The client's maxTokens, or {@link MAX_TOKENS_NOT_GIVEN} (null) when it gave none. */
  maxTokens: number | typeof MAX_TOKENS_NOT_GIVEN;
  /** Also record the turn (request item and conversation) in the same transaction. */
  record?: TurnRecord;
}

/** Where and how to record an admitted turn in its reservation transaction (startChat). */
export interface TurnRecord {
  tables: TurnTables;
  conversationId: string;
  /** ISO 8601: the request's `createdAt` and the conversation's first/last activity. */
  createdAt: string;
  /** The turn creates the conversation: the transaction fails (ConversationExists) if it exists. */
  newConversation?: boolean;
}

/** Policy reads per admission: a cached one, then fresh ones if it turns out stale. */
const MAX_ADMISSION_ATTEMPTS = 3;

/** A maxTokens below 1 or above the caller's cap: a ValidationError on the `maxTokens` field. */
export interface MaxTokensTooLarge {
  code: 'ValidationError';
  message: string;
  field: 'maxTokens';
  maxTokens: number;
  retryable: false;
}

/** A turn that said it creates its conversation named one that exists: nothing was written. */
export interface ConversationExists {
  code: 'ConversationExists';
  message: string;
  conversationId: string;
  retryable: false;
}

export type AdmitResult =
  | { ok: true; maxTokens: number; policy: EffectivePolicy }
  | { ok: false; error: AdmissionError | MaxTokensTooLarge | ConversationExists; policy: EffectivePolicy };

/**
 * Admits one turn under the caller's effective policy: checks the model and maxTokens
 * against it, then reserves the worst case in the ledger (see ledger/reserve.ts), with the
 * turn's record when asked, in one transaction. The override is cached per container and
 * proven unchanged by that transaction (ledger/admission-policy.ts); a refusal under a
 * cached override is decided again on a fresh read, so an admin's change is never missed.
 * @example
 * const outcome = await admitTurn(ledger, { userId: sub, groups, requestId, modelId, prompt, maxTokens: MAX_TOKENS_NOT_GIVEN });
 * if (!outcome.ok) return failure(outcome.error);
 */
export async function admitTurn(ledger: LedgerDeps, input: AdmitInput): Promise<AdmitResult> {
  for (let attempt = 1; ; attempt += 1) {
    const { policy, overrideUnchanged } = await admissionPolicy(ledger, input.userId, input.groups, { fresh: attempt > 1 });
    const outcome = await admitUnder(ledger, input, policy, overrideUnchanged);
    if (outcome.ok || outcome.final) return outcome.result;
    // An override changing under every attempt: retryable, like any other contention.
    if (attempt >= MAX_ADMISSION_ATTEMPTS) return outcome.staleOverride ? { ok: false, error: ledgerBusy(), policy } : outcome.result;
    // A refusal on the first (cached) read is checked again on a fresh one; later, only a stale override is.
    if (attempt > 1 && !outcome.staleOverride) return outcome.result;
  }
}

/** `final`: no fresh policy read can change the refusal. */
type Attempt = { ok: boolean; staleOverride?: boolean; final?: boolean; result: AdmitResult };

/** Where the writes sit in reserve()'s `alsoWrite` (the override check, then the turn's record): the failed one names the refusal. */
const ALSO_WRITE = { overrideUnchanged: 0, conversation: 1 + TURN_RECORD_ITEM.conversation } as const;

async function admitUnder(ledger: LedgerDeps, input: AdmitInput, policy: EffectivePolicy, overrideUnchanged: TransactItems[number]): Promise<Attempt> {
  const model = findModel(input.modelId);
  const allowed = model !== undefined && isModelAllowed(policy, input.modelId);
  const cap = model ? Math.min(model.maxOutputTokens, policy.maxOutputTokens) : 0;
  const requested = input.maxTokens;
  if (allowed && requested !== MAX_TOKENS_NOT_GIVEN && (requested < 1 || requested > cap)) {
    const message = `maxTokens: must be between 1 and ${cap} for ${input.modelId}`;
    return { ok: false, result: { ok: false, policy, error: { code: 'ValidationError', message, field: 'maxTokens', maxTokens: cap, retryable: false } } };
  }
  // A model the policy refuses is reserve()'s to report (ModelNotAllowed, with the allowed list).
  const maxOutputTokens = requested === MAX_TOKENS_NOT_GIVEN ? Math.max(1, Math.min(DEFAULT_MAX_TOKENS, cap)) : requested;
  const result = await reserve(ledger, {
    userId: input.userId,
    requestId: input.requestId,
    modelId: input.modelId,
    inputTokensEstimate: estimateInputTokens([input.prompt]),
    maxOutputTokens,
    policy,
    alsoWrite: [overrideUnchanged, ...(input.record ? recordItems(ledger, input, input.record, maxOutputTokens) : [])],
  });
  if (!result.ok && input.record && result.failedItem === ALSO_WRITE.conversation) {
    const { conversationId } = input.record;
    const message = `conversationId: ${conversationId} already exists; leave out newConversation to continue it`;
    return { ok: false, final: true, result: { ok: false, policy, error: { code: 'ConversationExists', message, conversationId, retryable: false } } };
  }
  if (!result.ok) return { ok: false, staleOverride: result.failedItem === ALSO_WRITE.overrideUnchanged, result: { ok: false, error: result.error, policy } };
  return { ok: true, result: { ok: true, maxTokens: result.reservation.maxOutputTokens, policy } };
}

/** The turn's record (request item, conversation, user message) for the reservation transaction. */
function recordItems(ledger: LedgerDeps, input: AdmitInput, record: TurnRecord, maxTokens: number): TransactItems {
  const turn = {
    requestId: input.requestId,
    userId: input.userId,
    conversationId: record.conversationId,
    modelId: input.modelId,
    prompt: input.prompt,
    maxTokens,
    groups: [...input.groups],
    createdAt: record.createdAt,
  };
  const now = nowFrom(ledger);
  return turnRecordItems(turn, record.tables, { nowEpochSeconds: Math.floor(now.getTime() / 1000), messageId: newMessageId(now), newConversation: record.newConversation });
}
