/**
 * TransactWriteItems with the two things every ledger write needs: the reasons a
 * transaction was cancelled, per item, and retries when DynamoDB cancelled it only because
 * another transaction was touching the same counter (`TransactionConflict`), which is
 * what 100 turns of one user starting at once produce.
 */
import { TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fitsAnotherAttempt } from '../deadline.js';
import type { LedgerDeps } from './tables.js';

/** One item's fate in a cancelled transaction, with its old image when the condition failed. */
export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

export type TransactOutcome = { ok: true } | { ok: false; busy: false; reasons: CancellationReason[] } | { ok: false; busy: true };

/**
 * Attempts before reporting LedgerBusy; backoff doubles from 10 ms up to 1 s with full
 * jitter. Fewer when the invocation's remaining time cannot fit the wait and one more
 * attempt (../deadline.ts): a commit must never land after the caller was answered.
 */
const MAX_TRANSACTION_ATTEMPTS = 16;
const BASE_BACKOFF_IN_MS = 10;
const MAX_BACKOFF_IN_MS = 1000;

/** The items of one TransactWriteItems call. */
export type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Runs a write transaction; returns the per-item cancellation reasons when a condition
 * failed, retries conflicts, and rethrows anything else.
 * @example
 * const outcome = await transactWrite(deps, [{ Put: { TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } }]);
 */
export async function transactWrite(deps: Pick<LedgerDeps, 'db'>, items: TransactItems): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const attemptStartedAt = Date.now();
    try {
      await deps.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const conditionFailed = reasons.some((r) => r.code === 'ConditionalCheckFailed');
      const conflicted = reasons.some((r) => r.code === 'TransactionConflict');
      if (conditionFailed || !conflicted) return { ok: false, busy: false, reasons };
      if (attempt >= MAX_TRANSACTION_ATTEMPTS) return { ok: false, busy: true };
      const ceiling = Math.min(MAX_BACKOFF_IN_MS, BASE_BACKOFF_IN_MS * 2 ** (attempt - 1));
      const delay = Math.random() * ceiling;
      if (!fitsAnotherAttempt(delay, Date.now() - attemptStartedAt)) return { ok: false, busy: true };
      await new Promise((resolveDelay) => setTimeout(resolveDelay, delay));
    }
  }
}

function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof TransactionCanceledException) && (error as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  const raw = (error as TransactionCanceledException).CancellationReasons ?? [];
  return raw.map((reason) => ({
    code: reason.Code ?? 'None',
    item: reason.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined,
  }));
}
