/**
 * Retries bounded by the invocation's remaining time (functions/shared/deadline.ts): a
 * retry loop that cannot fit another wait-and-attempt before the headroom stops at once.
 * Each case runs a real client against a real failure (DynamoDB Local with a transaction
 * conflict raised inside the SDK client, a socket that resets every connection), once
 * without a deadline (the loop's own attempt limit) and once under a deadline that cannot
 * fit a retry. No test waits for a timer to prove it: the deadline is already too short.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ListTablesCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { sharedBackingServices } from '../helpers/services.js';
import { randomUUID } from 'node:crypto';
import { ANSWER_HEADROOM_IN_MS, withInvocationDeadline } from '../../functions/shared/deadline.js';
import { boundedByInvocationDeadline } from '../../functions/shared/sdk-deadline.js';
import { documentClient } from '../../functions/shared/dynamo.js';
import { EventsPublisher } from '../../functions/shared/events-publisher.js';
import { classifyFailure } from '../../functions/shared/failure.js';
import { transactWrite } from '../../functions/shared/ledger/transact.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';
import { manualClock } from '../../functions/shared/clock.js';
import { TurnStream } from '../../functions/shared/turn-stream.js';
import { ErrorCode } from '../../schema/stream-protocol.js';

/** A Lambda context with `remainingMs` left, counting down in real time. */
function contextWith(remainingMs: number) {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}
/** Less than the headroom: not even a short retry fits. */
const TOO_SHORT = contextWith.bind(null, ANSWER_HEADROOM_IN_MS - 100);

/** A TCP server that resets every connection: the SDK and the publisher see a transient network failure. */
async function resettingServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('retries bounded by the invocation deadline', () => {
  let ledger: LedgerTestDeps;
  let reset: Awaited<ReturnType<typeof resettingServer>>;

  beforeAll(async () => {
    ledger = await ledgerTestDeps(manualClock(new Date()));
    reset = await resettingServer();
  });
  afterAll(async () => {
    ledger?.close();
    await new Promise((resolve) => reset?.server.close(resolve));
  });

  /** A document client on DynamoDB Local whose every transaction is cancelled by a conflict, counting attempts. */
  function conflictingClient(): { client: DynamoDBClient; attempts: () => number } {
    let attempts = 0;
    const client = new DynamoDBClient({ endpoint: sharedBackingServices().dynamodb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          attempts += 1;
          throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }] });
        }
        return next(args);
      },
      { step: 'initialize', name: 'conflictEveryTransaction' },
    );
    return { client, attempts: () => attempts };
  }

  const put = (table: string) => [{ Put: { TableName: table, Item: { pk: `T#${randomUUID()}`, sk: 'X' } } }];

  it('the ledger retries a conflicted transaction 16 times without a deadline, once when the deadline cannot fit a retry', async () => {
    const free = conflictingClient();
    const unbounded = await transactWrite({ db: documentClient(free.client) }, put(ledger.deps.tables.budgets));
    expect(unbounded).toEqual({ ok: false, busy: true });
    expect(free.attempts()).toBe(16);

    const bounded = conflictingClient();
    const startedAt = Date.now();
    const outcome = await withInvocationDeadline(TOO_SHORT(), () => transactWrite({ db: documentClient(bounded.client) }, put(ledger.deps.tables.budgets)));
    expect(outcome).toEqual({ ok: false, busy: true });
    expect(bounded.attempts()).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(ANSWER_HEADROOM_IN_MS);
    free.client.destroy();
    bounded.client.destroy();
  });

  it('the ledger stops retrying before the headroom when some retries fit', async () => {
    const bounded = conflictingClient();
    const context = contextWith(ANSWER_HEADROOM_IN_MS + 300);
    const outcome = await withInvocationDeadline(context, () => transactWrite({ db: documentClient(bounded.client) }, put(ledger.deps.tables.budgets)));
    expect(outcome).toEqual({ ok: false, busy: true });
    expect(bounded.attempts()).toBeGreaterThan(1);
    expect(bounded.attempts()).toBeLessThan(16);
    // The answer leaves with the headroom still there.
    expect(context.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(ANSWER_HEADROOM_IN_MS - 50);
    bounded.client.destroy();
  });

  it("an SDK client's own retries stop when the deadline cannot fit one, with a retryable Timeout", async () => {
    const endpoint = `http://127.0.0.1:${reset.port}`;
    const client = () =>
      boundedByInvocationDeadline(new DynamoDBClient({ endpoint, region: 'us-east-1', maxAttempts: 3, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }));
    const before = reset.connections();
    const free = client();
    await expect(free.send(new ListTablesCommand({}))).rejects.toThrow();
    expect(reset.connections() - before).toBe(3);

    const middle = reset.connections();
    const bounded = client();
    const failure = await withInvocationDeadline(TOO_SHORT(), () => bounded.send(new ListTablesCommand({}))).catch((error: unknown) => error);
    expect(reset.connections() - middle).toBe(1);
    expect((failure as Error).name).toBe('DeadlineExceeded');
    expect(classifyFailure(failure)).toMatchObject({ code: ErrorCode.TIMEOUT, retryable: true });
    free.destroy();
    bounded.destroy();
  });

  it('a turn stream gives up a failing publish without retrying when the deadline cannot fit one', async () => {
    const publisher = new EventsPublisher({ url: `http://127.0.0.1:${reset.port}/event`, region: 'us-east-1', credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'y' }) });
    const stream = (id: string) => new TurnStream({ publisher, channel: `/chat/u/${id}`, requestId: id, retryBaseDelayMs: 1 });

    const before = reset.connections();
    const free = stream('free');
    free.start('c', 'sluice.simulator');
    free.delta('hello');
    await free.flush();
    expect(free.failure).toBeDefined();
    expect(reset.connections() - before).toBe(5);

    const middle = reset.connections();
    await withInvocationDeadline(TOO_SHORT(), async () => {
      const bounded = stream('bounded');
      bounded.start('c', 'sluice.simulator');
      bounded.delta('hello');
      await bounded.flush();
      expect(bounded.failure).toBeDefined();
    });
    expect(reset.connections() - middle).toBe(1);
  });
});
