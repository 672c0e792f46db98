/**
 * What the caller's effective policy (groups combined, then an admin's per-user override)
 * lets them do: which models `Query.models` lists, and whether a chat turn is admitted.
 * Admission is the one place that decides ModelNotAllowed and the policy's output cap, so
 * an override's `allowedModels` or `maxOutputTokens` counts the same in both.
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { admissionPolicy, ledgerBusy, reserve, withdrawReservation, type AdmissionError, type LedgerDeps, type Reservation } from '../shared/ledger/index.js';
import { estimateInputTokens } from '../shared/pricing.js';
import { findModel, MODELS } from '../../schema/models.js';
import { isModelAllowed, type EffectivePolicy } from '../shared/policy.js';
import { DEFAULT_MAX_TOKENS, MAX_TOKENS_NOT_GIVEN } from '../../schema/input-rules.js';
import type { TurnTables } from '../shared/turn-record.js';

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

/** What a way in asks admission for. */
export interface AdmitInput {
  userId: string;
  groups: readonly string[];
  requestId: string;
  modelId: string;
  prompt: string;
  /** The client's maxTokens, or {@link MAX_TOKENS_NOT_GIVEN} (null) when it gave none. */
  maxTokens: number | typeof MAX_TOKENS_NOT_GIVEN;
  /** The turn's conversation, and what to check about it and the request beside the write. */
  turn?: TurnChecks;
  /**
   * startChat with a clientRequestId: the fingerprint of what the client asked for
   * (requestFingerprint). A retry with the same id must carry the same one, or it is
   * refused with IdempotentParameterMismatch.
   */
  fingerprint?: string;
  /** The API key the turn came in with (the OpenAI-compatible API): its reservation names it. */
  keyId?: string;
}

/** The turn a duplicate request id already names: what a retried startChat answers with. */
export interface OriginalTurn {
  conversationId?: string;
  /** ISO 8601: the first call's admission (or its record's) time. */
  createdAt: string;
  /** The recorded turn's status (`streaming`, `completed`…), once the streaming Lambda recorded it. */
  status?: string;
}

/** A clientRequestId reused with a different request: AWS answers a reused ClientToken so. */
export interface IdempotentParameterMismatch {
  code: 'IdempotentParameterMismatch';
  message: string;
  requestId: string;
  retryable: false;
}

/**
 * What identifies a startChat request for idempotency: everything the client sent that
 * decides the turn (model, prompt, maxTokens, the conversation it named and whether it is
 * new). A 22-character SHA-256 prefix (132 bits), kept in the reservation entry and the
 * request record.
 * @example
 * requestFingerprint({ modelId: 'sluice.simulator', prompt: 'Hi', maxTokens: null, conversationId: null, newConversation: false });
 */
export function requestFingerprint(request: { modelId: string; prompt: string; maxTokens: number | null; conversationId: string | null; newConversation: boolean }): string {
  const canonical = JSON.stringify([request.modelId, request.prompt, request.maxTokens, request.conversationId, request.newConversation]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/**
 * Checks that run beside admission's one write (reads, in parallel with it, so they add no
 * round trip). A check that refuses takes the reservation back (withdrawReservation): the
 * refused turn leaves nothing held and nothing recorded.
 */
export interface TurnChecks {
  tables: TurnTables;
  conversationId: string;
  /** The client named the conversation and says it is new: ConversationExists if it exists. */
  newConversation?: boolean;
  /**
   * The request id may have been recorded before (the prompts way in: a republished
   * prompt, a retried invocation): then the turn is a duplicate, or a RequestIdConflict if
   * another user's turn holds the id.
   */
  mayBeRecorded?: boolean;
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

/** A turn that said it creates its conversation named one that exists: nothing was kept. */
export interface ConversationExists {
  code: 'ConversationExists';
  message: string;
  conversationId: string;
  retryable: false;
}

/** `duplicate`: the request id was admitted (or recorded) before; the claim decides whether it still streams. */
export type AdmitResult =
  | { ok: true; maxTokens: number; policy: EffectivePolicy; duplicate: boolean; reservation?: Reservation; original?: OriginalTurn }
  | { ok: false; error: AdmissionError | MaxTokensTooLarge | ConversationExists | IdempotentParameterMismatch; policy: EffectivePolicy };

/**
 * Admits one turn under the caller's effective policy: checks the model and maxTokens
 * against it, then reserves the worst case in the ledger with ONE conditional write on
 * the user's budget item (see ledger/reserve.ts). The override is cached per container and
 * pinned by that write (ledger/admission-policy.ts); a refusal under a cached override is
 * decided again on a fresh read, so an admin's change is never missed.
 * @example
 * const outcome = await admitTurn(ledger, { userId: sub, groups, requestId, modelId, prompt, maxTokens: MAX_TOKENS_NOT_GIVEN });
 * if (!outcome.ok) return failure(outcome.error);
 */
export async function admitTurn(ledger: LedgerDeps, input: AdmitInput): Promise<AdmitResult> {
  for (let attempt = 1; ; attempt += 1) {
    const { policy, overrideChanges } = await admissionPolicy(ledger, input.userId, input.groups, { fresh: attempt > 1 });
    const outcome = await admitUnder(ledger, input, policy, overrideChanges);
    if (outcome.ok || outcome.final) return outcome.result;
    // An override changing under every attempt: retryable, like any other contention.
    if (attempt >= MAX_ADMISSION_ATTEMPTS) return outcome.staleOverride ? { ok: false, error: ledgerBusy(), policy } : outcome.result;
    // A refusal on the first (cached) read is checked again on a fresh one; later, only a stale override is.
    if (attempt > 1 && !outcome.staleOverride) return outcome.result;
  }
}

/** `final`: no fresh policy read can change the refusal. */
type Attempt = { ok: boolean; staleOverride?: boolean; final?: boolean; result: AdmitResult };

async function admitUnder(ledger: LedgerDeps, input: AdmitInput, policy: EffectivePolicy, overrideChanges: number | null): Promise<Attempt> {
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
  const checks = input.turn ? sideChecks(ledger, input.userId, input.requestId, input.turn) : Promise.resolve(NO_FINDINGS);
  checks.catch(() => undefined);
  const result = await reserve(ledger, {
    userId: input.userId,
    requestId: input.requestId,
    modelId: input.modelId,
    inputTokensEstimate: estimateInputTokens([input.prompt]),
    maxOutputTokens,
    policy,
    overrideChanges,
    ...(input.turn ? { conversationId: input.turn.conversationId } : {}),
    ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
    ...(input.keyId ? { keyId: input.keyId } : {}),
  });
  if (!result.ok) {
    // A retry of a turn that ran already is that turn, even when a new one would be refused now (budget spent, rate).
    const recorded = input.turn?.mayBeRecorded ? await checks.catch(() => NO_FINDINGS) : NO_FINDINGS;
    if (recorded.record && recorded.recordedBySameUser) return { ok: true, final: true, result: recordedDuplicate(input, recorded.record, policy) };
    return { ok: false, staleOverride: result.staleOverride === true, result: { ok: false, error: result.error, policy } };
  }
  // The same request id open already: a retry only if it asks for the same thing.
  if (result.duplicate && (result.reservation.fingerprint ?? null) !== (input.fingerprint ?? null)) {
    return { ok: false, final: true, result: { ok: false, policy, error: parameterMismatch(input.requestId) } };
  }
  const findings = await checks.catch(async (error: unknown) => {
    // A check that could not run must not leave the reservation behind.
    if (!result.duplicate) await withdrawReservation(ledger, result.reservation);
    throw error;
  });
  const refused = refusalFrom(findings, input, result.duplicate);
  if (refused || findings.recordedBySameUser) {
    if (!result.duplicate) await withdrawReservation(ledger, result.reservation);
    if (refused) return { ok: false, final: true, result: { ok: false, policy, error: refused } };
  }
  if (findings.record && findings.recordedBySameUser) return { ok: true, result: recordedDuplicate(input, findings.record, policy) };
  const original: OriginalTurn | undefined = result.duplicate ? { conversationId: result.reservation.conversationId, createdAt: result.reservation.createdAt } : undefined;
  return {
    ok: true,
    result: { ok: true, maxTokens: result.reservation.maxOutputTokens, policy, duplicate: result.duplicate, reservation: result.reservation, ...(original ? { original } : {}) },
  };
}

/** The answer to a request id the streaming Lambda recorded already: that turn, or a mismatch. */
function recordedDuplicate(input: AdmitInput, record: RecordedTurn, policy: EffectivePolicy): AdmitResult {
  if ((record.requestFingerprint ?? null) !== (input.fingerprint ?? null)) return { ok: false, policy, error: parameterMismatch(input.requestId) };
  return {
    ok: true,
    maxTokens: record.maxTokens ?? 0,
    policy,
    duplicate: true,
    original: { conversationId: record.conversationId, createdAt: record.createdAt ?? new Date(0).toISOString(), status: record.status },
  };
}

function parameterMismatch(requestId: string): IdempotentParameterMismatch {
  return {
    code: 'IdempotentParameterMismatch',
    message: `clientRequestId ${requestId} was already used for a different request; use a new id for a new turn.`,
    requestId,
    retryable: false,
  };
}

/** The projection of a ChatRequests item admission reads. */
interface RecordedTurn {
  userId: string;
  conversationId?: string;
  createdAt?: string;
  status?: string;
  maxTokens?: number;
  requestFingerprint?: string;
}

interface Findings {
  conversationExists: boolean;
  recordedBySameUser: boolean;
  recordedByAnotherUser: boolean;
  record?: RecordedTurn;
}

const NO_FINDINGS: Findings = { conversationExists: false, recordedBySameUser: false, recordedByAnotherUser: false };

/** The reads beside the admission write: the conversation a new one names, and the request record. */
async function sideChecks(ledger: LedgerDeps, userId: string, requestId: string, turn: TurnChecks): Promise<Findings> {
  const [conversation, record] = await Promise.all([
    turn.newConversation
      ? ledger.db.send(new GetCommand({ TableName: turn.tables.conversations, Key: { userId, conversationId: turn.conversationId }, ProjectionExpression: 'userId', ConsistentRead: true }))
      : undefined,
    turn.mayBeRecorded
      ? ledger.db.send(
          new GetCommand({
            TableName: turn.tables.requests,
            Key: { requestId },
            ProjectionExpression: 'userId, conversationId, createdAt, #status, maxTokens, requestFingerprint',
            ExpressionAttributeNames: { '#status': 'status' },
            ConsistentRead: true,
          }),
        )
      : undefined,
  ]);
  const recorded = record?.Item as RecordedTurn | undefined;
  const recordedBy = recorded?.userId;
  return {
    conversationExists: conversation?.Item !== undefined,
    recordedBySameUser: recordedBy === userId,
    recordedByAnotherUser: recordedBy !== undefined && recordedBy !== userId,
    ...(recordedBy === userId ? { record: recorded } : {}),
  };
}

/** `duplicate`: the request id is open already, so the conversation may be this very turn's. */
function refusalFrom(findings: Findings, input: AdmitInput, duplicate: boolean): AdmissionError | ConversationExists | undefined {
  if (findings.recordedByAnotherUser) {
    return { code: 'RequestIdConflict', message: `Request id ${input.requestId} is already in use.`, requestId: input.requestId, retryable: false };
  }
  if (findings.conversationExists && !findings.recordedBySameUser && !duplicate && input.turn) {
    const { conversationId } = input.turn;
    return { code: 'ConversationExists', message: `conversationId: ${conversationId} already exists; leave out newConversation to continue it`, conversationId, retryable: false };
  }
  return undefined;
}
