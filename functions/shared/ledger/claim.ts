/**
 * The streaming Lambda's claim and the cancel flag, both on the turn's open entry in the
 * user's budget item (./budget-item.ts). The claim is the Lambda's one conditional write
 * before the model call: it marks the entry claimed, so a duplicate delivery of the same
 * turn (Lambda's async retries) loses it and never calls the model, and a turn that was
 * never admitted, or already settled, has no entry to claim.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { budgetAttr, budgetKey, openEntry } from './budget-item.js';
import { checkId, nowFrom, type LedgerDeps } from './tables.js';

/** What the claim found: `won` streams the turn; `cancelled` says a cancel came first. */
export interface ClaimOutcome {
  won: boolean;
  cancelled: boolean;
}

/**
 * Claims an admitted turn for streaming, once.
 * @example
 * const { won, cancelled } = await claimReservation(deps, { userId, requestId });
 */
export async function claimReservation(deps: LedgerDeps, input: { userId: string; requestId: string; now?: Date }): Promise<ClaimOutcome> {
  checkId(input.userId, 'userId');
  checkId(input.requestId, 'requestId');
  try {
    const { Attributes } = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.budgets,
        Key: budgetKey(input.userId),
        UpdateExpression: 'SET #r.k = :now',
        ConditionExpression: 'attribute_exists(#r) AND attribute_not_exists(#r.k)',
        ExpressionAttributeNames: { '#r': budgetAttr.reservation(input.requestId) },
        ExpressionAttributeValues: { ':now': nowFrom(deps, input.now).getTime() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const entry = openEntry(Attributes, input.requestId);
    return { won: true, cancelled: entry?.z === true };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { won: false, cancelled: false };
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
