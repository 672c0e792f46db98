/**
 * Holds a Bedrock request until the turn is claimed. The SDK serializes and signs the
 * request while the claim's DynamoDB write is in flight, so that work is off the path to
 * the first token; but no byte reaches Bedrock unless the claim is won, so a duplicate
 * delivery of the turn never calls the model.
 */
import type { ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';

/** Why a held request was never sent: another delivery of the turn claimed it. */
export class TurnNotClaimedError extends Error {
  override readonly name = 'TurnNotClaimedError';
}

/**
 * Adds the hold to `command`: its last middleware before the HTTP handler (the request is
 * signed by then) waits for `claimed` and fails the send unless it is true.
 * @example
 * const claimed = claimReservation(ledger, { userId, requestId }).then((c) => c.won && !c.cancelled);
 * const modelCall = bedrock.send(sendAfterClaim(new ConverseStreamCommand(input), claimed));
 * if (!(await claimed)) return; // modelCall rejects with TurnNotClaimedError; nothing was sent
 */
export function sendAfterClaim(command: ConverseStreamCommand, claimed: Promise<boolean>): ConverseStreamCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      if (!(await claimed)) throw new TurnNotClaimedError('Another delivery of this turn claimed it; the model was not called.');
      return next(args);
    },
    // The deserialize step wraps the HTTP handler; low priority puts the hold innermost, after signing.
    { step: 'deserialize', priority: 'low', name: 'sendAfterClaim' },
  );
  return command;
}
