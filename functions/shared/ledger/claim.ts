/**
 * The streaming Lambda's claim and the cancel flag, both on the turn's open entry in the
 * user's budget item (./budget-item.ts). The claim is the Lambda's one conditional write
 * before the model call: it marks the entry claimed, so a duplicate delivery of the same
 * turn (Lambda's async retries) loses it and never calls the model, and a turn that was
 * never admitted, or already settled, has no entry to claim.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { budgetAttr, budgetKey, openEntry, readBudgetItem } from './budget-item.js';
import { checkId, nowFrom, type LedgerDeps } from './tables.js';

/**
 * What the claim found: `won` streams the turn; `cancelled` says a cancel came first;
 * `byEarlierAttempt`: lost to an earlier attempt of this same invocation (Lambda retries an
 * async event with the same request id after the function died), so that attempt's
 * environment is gone and the turn must be ended, not streamed again.
 */
export interface ClaimOutcome {
  won: boolean;
  cancelled: boolean;
  byEarlierAttempt?: boolean;
}

/** The short mark of an invocation kept on the claim (`a`): 8 characters of its request id's hash. */
export function invocationMark(invocationId: string): string {
  return createHash('sha256').update(invocationId).digest('base64url').slice(0, 8);
}

/**
 * Claims an admitted turn for streaming, once.
 * @example
 * const { won, cancelled } = await claimReservation(deps, { userId, requestId });
 */
export async function claimReservation(
  deps: LedgerDeps,
  input: { userId: string; requestId: string; now?: Date; /** The Lambda request id of the claiming invocation. */ invocationId?: string },
): Promise<ClaimOutcome> {
  checkId(input.userId, 'userId');
  checkId(input.requestId, 'requestId');
  const mark = input.invocationId ? invocationMark(input.invocationId) : undefined;
  try {
    const { Attributes } = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.budgets,
        Key: budgetKey(input.userId),
        UpdateExpression: mark ? 'SET #r.k = :now, #r.a = :mark' : 'SET #r.k = :now',
        ConditionExpression: 'attribute_exists(#r) AND attribute_not_exists(#r.k)',
        ExpressionAttributeNames: { '#r': budgetAttr.reservation(input.requestId) },
        ExpressionAttributeValues: { ':now': nowFrom(deps, input.now).getTime(), ...(mark ? { ':mark': mark } : {}) },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const entry = openEntry(Attributes, input.requestId);
    return { won: true, cancelled: entry?.z === true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      if (!mark) return { won: false, cancelled: false };
      // DynamoDB returns the item as it was; an emulator that does not is read once.
      const old = openEntry(error.Item ? unmarshall(error.Item) : await readBudgetItem(deps, input.userId), input.requestId);
      return { won: false, cancelled: false, byEarlierAttempt: old?.k !== undefined && old.a === mark };
    }
    throw error;
  }
}

/**
 * Whether the user asked to cancel an open turn (cancelChat sets the flag on its entry).
 * @example
 * if (await isCancelRequested(deps, { userId, requestId })) abort.abort();
 */
export async function isCancelRequested(deps: LedgerDeps, input: { userId: string; requestId: string }): Promise<boolean> {
  const name = budgetAttr.reservation(input.requestId);
  const { Item } = await deps.db.send(
    new GetCommand({
      TableName: deps.tables.budgets,
      Key: budgetKey(input.userId),
      ProjectionExpression: '#r.z',
      ExpressionAttributeNames: { '#r': name },
      ConsistentRead: true,
    }),
  );
  return openEntry(Item, input.requestId)?.z === true;
}
