/**
 * Withdrawing a reservation admission made but must not keep: a check that ran beside the
 * admission write (the conversation a `newConversation` turn names exists, the request id
 * was recorded before) refused the turn. Every figure the admission added is taken back,
 * so a refused turn leaves the budget item as it found it and costs nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dayKey, minuteKey, monthKey } from '../clock.js';
import { budgetAttr, budgetKey } from './budget-item.js';
import type { Reservation } from './reservation.js';
import type { LedgerDeps } from './tables.js';

/**
 * Takes back an unclaimed reservation; false when it was claimed or is gone already.
 * @example
 * if (conversationExists) await withdrawReservation(deps, result.reservation);
 */
export async function withdrawReservation(deps: LedgerDeps, reservation: Reservation): Promise<boolean> {
  const at = new Date(reservation.createdAt);
  const day = dayKey(at);
  const month = monthKey(at);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.budgets,
        Key: budgetKey(reservation.userId),
        UpdateExpression: 'REMOVE #r ADD #dUsed :minusW, #dReq :minusOne, #mUsed :minusW, #mReq :minusOne, #rate :minusOne, #openTurns :minusOne',
        ConditionExpression: 'attribute_exists(#r) AND attribute_not_exists(#r.k)',
        ExpressionAttributeNames: {
          '#r': budgetAttr.reservation(reservation.requestId),
          '#dUsed': budgetAttr.dayUsed(day),
          '#dReq': budgetAttr.dayRequests(day),
          '#mUsed': budgetAttr.monthUsed(month),
          '#mReq': budgetAttr.monthRequests(month),
          '#rate': budgetAttr.minute(minuteKey(at)),
          '#openTurns': budgetAttr.openTurns,
        },
        ExpressionAttributeValues: { ':minusW': -reservation.reservedMicros, ':minusOne': -1 },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
