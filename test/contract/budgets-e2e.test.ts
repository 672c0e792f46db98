/**
 * Issue 5's budget guarantees, proven through the gateway as a client meets them:
 * aws-amplify signs in to cognito-local, calls the GraphQL API, and reads the streams
 * over the Events WebSocket, while the real pipeline resolvers, gateway API Lambda,
 * streaming Lambda, Bedrock simulator and DynamoDB Local ledger do the work.
 */
import { events } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { costMicros, estimateInputTokens, microsToUsd, worstCaseMicros } from '../../functions/shared/pricing.js';
import { findModel } from '../../schema/models.js';
import type { EndEvent, StreamEvent } from '../../schema/stream-protocol.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { gql, graphql, type ResultOf, type VariablesOf } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
const OPUS = 'anthropic.claude-opus-4-1-20250805-v1:0';
const NOVA_MICRO = 'amazon.nova-micro-v1:0';
const SIMULATOR = findModel(SIMULATOR_MODEL_ID)!;
const TURNS = 100;
const ADMITTABLE_TURNS = 10;
/**
 * Every concurrent turn asks for this many tokens and the simulator writes all of them, so
 * a settled turn costs over 90% of its worst case: the budget its settlement frees can
 * never fit an 11th turn, however late one arrives.
 */
const MAX_TOKENS = 200;
const promptOf = (i: number) => `Concurrent turn ${String(i).padStart(3, '0')} [[sim:tokens=400]] [[sim:tps=2]]`;
const WORST_CASE_MICROS = worstCaseMicros(SIMULATOR, estimateInputTokens([promptOf(0)]), MAX_TOKENS);
const DAILY_LIMIT_USD = microsToUsd(ADMITTABLE_TURNS * WORST_CASE_MICROS);
/** High enough that only the budget can refuse one of the 100 turns. */
const REQUESTS_PER_MINUTE = 1000;

const START_CHAT = gql(`
  mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId conversationId channel status } }
`);
const CANCEL_CHAT = gql(`mutation Cancel($requestId: ID!) { cancelChat(requestId: $requestId) { requestId status } }`);
const MY_USAGE = gql(`
  query MyUsage { myUsage { day { spentUsd reservedUsd limitUsd remainingUsd requests resetsAt } month { spentUsd reservedUsd } } }
`);
const SET_OVERRIDE = gql(`
  mutation Set($userId: ID!, $input: BudgetOverrideInput!) { setBudgetOverride(userId: $userId, input: $input) { userId dailyLimitUsd requestsPerMinute } }
`);
const CLEAR_OVERRIDE = gql(`mutation Clear($userId: ID!) { clearBudgetOverride(userId: $userId) { userId } }`);
const MODELS = gql(`query Models { models { id maxOutputTokens } }`);
const USAGE_REPORT = gql(`
  query Report($from: AWSDate!, $to: AWSDate!) { usageReport(from: $from, to: $to, groupBy: USER) { rows { key requests outputTokens costUsd } totalUsd } }
`);
const CONVERSATION = gql(`
  query One($id: ID!) { conversation(id: $id) { messages { items { role status costUsd usage { inputTokens outputTokens } } } } }
`);

type Period = ResultOf<typeof MY_USAGE>['myUsage']['day'];
type StartChatInput = VariablesOf<typeof START_CHAT>['input'];
interface GraphqlError {
  errorType: string;
  message: string;
  errorInfo: Record<string, unknown> | null;
}

const micros = (usd: number) => Math.round(usd * 1_000_000);
const today = () => new Date().toISOString().slice(0, 10);
const nextUtcMidnight = () => `${new Date(Date.parse(`${today()}T00:00:00.000Z`) + 86_400_000).toISOString()}`;

/** Runs a call and returns its GraphQL errors (Amplify rejects with `{ data, errors }`). */
async function graphqlErrors(call: Promise<unknown>): Promise<GraphqlError[] | undefined> {
  return call.then(
    () => undefined,
    (failure: { errors?: GraphqlError[] }) => {
      if (!Array.isArray(failure.errors)) throw failure;
      return failure.errors;
    },
  );
}

const myDay = async () => (await graphql(MY_USAGE)).myUsage.day;

/**
 * One subscription to every conversation of a user (`/chat/{sub}/*`), collecting each
 * turn's events by request id, deduplicated by seq.
 */
async function subscribeToAllTurns(sub: string) {
  const turns = new Map<string, Map<number, StreamEvent>>();
  const connection = await events.connect(`/chat/${sub}/*`);
  const subscription = connection.subscribe({
    next: (message: { event: unknown }) => {
      const event = message.event as StreamEvent;
      const turn = turns.get(event.requestId) ?? new Map<number, StreamEvent>();
      if (!turn.has(event.seq)) turn.set(event.seq, event);
      turns.set(event.requestId, turn);
    },
    error: () => undefined,
  });
  await subscription.ready;
  const finalOf = (requestId: string) => [...(turns.get(requestId)?.values() ?? [])].find((e) => e.type === 'end' || e.type === 'error');
  return {
    finalOf,
    /** Resolves with the final event of each turn once all have one. */
    async untilFinished(requestIds: string[], timeoutMs = 60_000): Promise<StreamEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (requestIds.some((id) => !finalOf(id))) {
        if (Date.now() > deadline) throw new Error(`${requestIds.filter((id) => !finalOf(id)).length} turns did not end`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return requestIds.map((id) => finalOf(id)!);
    },
    text: (requestId: string) =>
      [...(turns.get(requestId)?.values() ?? [])]
        .sort((a, b) => a.seq - b.seq)
        .flatMap((e) => (e.type === 'delta' ? [e.text] : []))
        .join(''),
    close: () => connection.close(),
  };
}

describe('budgets through the gateway (GraphQL, Lambdas, Events, DynamoDB ledger)', () => {
  let twin: Twin;
  let aliceSub: string;
  let stream: Awaited<ReturnType<typeof subscribeToAllTurns>>;

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 20, log: process.env.SLUICE_TEST_LOG ? console.log : undefined });
    configureAmplify(twin);
    ({ sub: aliceSub } = await signInAs(ALICE));
    await signInAs(ADMIN);
    await graphql(SET_OVERRIDE, { userId: aliceSub, input: { dailyLimitUsd: DAILY_LIMIT_USD, requestsPerMinute: REQUESTS_PER_MINUTE, reason: 'budgets-e2e' } });
    await signInAs(ALICE);
    stream = await subscribeToAllTurns(aliceSub);
  });
  afterAll(async () => {
    await stream?.close();
    await twin?.close();
  });

  describe('one user starting 100 turns at once with a budget of 10 worst-case turns', () => {
    const admitted: string[] = [];
    const refusals: GraphqlError[] = [];
    const observed: Period[] = [];

    beforeAll(async () => {
      // Act: 100 startChat mutations at once, while myUsage is read over and over.
      let running = true;
      const watcher = (async () => {
        while (running) observed.push(await myDay());
      })();
      const outcomes = await Promise.allSettled(
        Array.from({ length: TURNS }, (_, i) => graphql(START_CHAT, { input: { modelId: SIMULATOR_MODEL_ID, prompt: promptOf(i), maxTokens: MAX_TOKENS } })),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') admitted.push(outcome.value.startChat!.requestId);
        else refusals.push(...((outcome.reason as { errors?: GraphqlError[] }).errors ?? [{ errorType: 'NotAGraphqlError', message: String(outcome.reason), errorInfo: null }]));
      }
      // One reading as soon as all are admitted, while the admitted turns still stream and
      // hold their reserve: the watcher alone can miss that window on a loaded machine.
      observed.push(await myDay());
      await stream.untilFinished(admitted);
      running = false;
      await watcher;
      observed.push(await myDay());
    }, 120_000);

    it('admits exactly the 10 worst-case turns the budget covers', () => {
      // Assess: a settled turn frees only worst case minus actual cost, never a whole turn.
      expect(admitted).toHaveLength(ADMITTABLE_TURNS);
      expect(refusals).toHaveLength(TURNS - ADMITTABLE_TURNS);
    });

    it('never reserves or spends more than the budget, as myUsage shows during and after', () => {
      // Assess
      expect(observed.length).toBeGreaterThan(2);
      for (const day of observed) {
        expect(day.limitUsd).toBe(DAILY_LIMIT_USD);
        expect(micros(day.spentUsd) + micros(day.reservedUsd)).toBeLessThanOrEqual(micros(DAILY_LIMIT_USD));
      }
      expect(Math.max(...observed.map((d) => micros(d.reservedUsd)))).toBeGreaterThan(0);
    });

    it('refuses every other turn with BudgetExceeded, saying what is left and when it resets', () => {
      // Assess
      expect(new Set(refusals.map((e) => e.errorType))).toEqual(new Set(['BudgetExceeded']));
      for (const refusal of refusals) {
        const info = refusal.errorInfo as { scope: string; limitUsd: number; remainingUsd: number; requiredUsd: number; resetsAt: string };
        expect(info).toMatchObject({ scope: 'day', limitUsd: DAILY_LIMIT_USD, requiredUsd: microsToUsd(WORST_CASE_MICROS), resetsAt: nextUtcMidnight() });
        expect(micros(info.remainingUsd)).toBeLessThan(WORST_CASE_MICROS);
        expect(refusal.message).toContain(`resets at ${nextUtcMidnight()}`);
      }
    });

    it('bills exactly the sum of the end events\' costUsd once every admitted turn has ended', async () => {
      // Prepare
      const finals = admitted.map((id) => stream.finalOf(id) as EndEvent);
      const endCostMicros = finals.reduce((sum, end) => sum + micros(end.costUsd), 0);
      // Act
      const day = await myDay();
      await signInAs(ADMIN);
      const report = await graphql(USAGE_REPORT, { from: today(), to: today() }).finally(() => signInAs(ALICE));
      // Assess: exact to the micro-dollar, which is stricter than to the cent.
      expect(finals.map((e) => e.type)).toEqual(admitted.map(() => 'end'));
      expect(finals.every((e) => e.stopReason === 'max_tokens' && e.usage.outputTokens === MAX_TOKENS)).toBe(true);
      expect(finals.every((e) => micros(e.costUsd) === costMicros(SIMULATOR, e.usage))).toBe(true);
      expect(micros(day.spentUsd)).toBe(endCostMicros);
      expect(day.reservedUsd).toBe(0);
      const aliceRow = report.usageReport!.rows.find((row) => row.key === aliceSub);
      expect(aliceRow).toMatchObject({ requests: ADMITTABLE_TURNS, outputTokens: ADMITTABLE_TURNS * MAX_TOKENS });
      expect(micros(aliceRow!.costUsd)).toBe(endCostMicros);
    });
  });

  describe('cancelled and failed turns', () => {
    beforeAll(async () => {
      // The concurrency budget is spent: give Alice her groups' budget back, but keep the
      // request rate the 100 turns of this minute used up.
      await signInAs(ADMIN);
      await graphql(SET_OVERRIDE, { userId: aliceSub, input: { requestsPerMinute: REQUESTS_PER_MINUTE } });
      await signInAs(ALICE);
    });

    it('bills a cancelled turn for the tokens it streamed, and releases the rest of its reservation', async () => {
      // Prepare: a long, slow answer so the cancel lands mid-stream.
      const before = await myDay();
      const turn = (
        await graphql(START_CHAT, {
          input: { modelId: SIMULATOR_MODEL_ID, prompt: 'Ramble on. [[sim:tokens=2000]] [[sim:tps=20]]', maxTokens: 2000 },
        })
      ).startChat!;
      const deadline = Date.now() + 20_000;
      while (stream.text(turn.requestId).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      // Act
      await graphql(CANCEL_CHAT, { requestId: turn.requestId });
      const [end] = (await stream.untilFinished([turn.requestId])) as EndEvent[];
      // Assess
      expect(end).toMatchObject({ type: 'end', stopReason: 'cancelled' });
      expect(end.usage.outputTokens).toBeGreaterThan(0);
      expect(end.usage.outputTokens).toBeLessThan(2000);
      expect(micros(end.costUsd)).toBe(costMicros(SIMULATOR, end.usage));
      const after = await myDay();
      expect(micros(after.spentUsd) - micros(before.spentUsd)).toBe(micros(end.costUsd));
      expect(after.reservedUsd).toBe(0);
      expect(after.requests - before.requests).toBe(1);
    });

    it('bills a turn that fails mid-stream for what it produced, though its error event carries no cost', async () => {
      // Prepare
      const before = await myDay();
      // Act
      const turn = (
        await graphql(START_CHAT, {
          input: { modelId: SIMULATOR_MODEL_ID, prompt: 'Break halfway. [[sim:tokens=80]] [[sim:midstream-error@20]]', maxTokens: 200 },
        })
      ).startChat!;
      const [error] = await stream.untilFinished([turn.requestId]);
      // Assess: the stored answer and the ledger both bill the partial output.
      expect(error).toMatchObject({ type: 'error', code: 'ModelStreamError' });
      expect(error).not.toHaveProperty('costUsd');
      expect(stream.text(turn.requestId).length).toBeGreaterThan(0);
      const { conversation } = await graphql(CONVERSATION, { id: turn.conversationId });
      const answer = conversation!.messages.items.find((m) => m.role === 'ASSISTANT')!;
      expect(answer.status).toBe('INCOMPLETE');
      // A final answer carries its usage and cost (null only while it streams).
      const usage = answer.usage!;
      const costUsd = answer.costUsd!;
      expect(usage.outputTokens).toBeGreaterThan(0);
      expect(usage.outputTokens).toBeLessThan(80);
      expect(micros(costUsd)).toBe(costMicros(SIMULATOR, usage));
      const after = await myDay();
      expect(micros(after.spentUsd) - micros(before.spentUsd)).toBe(micros(costUsd));
      expect(after.reservedUsd).toBe(0);
    });
  });

  describe('an admin\'s per-user override decides what `models` lists and what startChat admits', () => {
    let bobSub: string;

    async function overrideBob(input: VariablesOf<typeof SET_OVERRIDE>['input'] | null) {
      await signInAs(ADMIN);
      await (input ? graphql(SET_OVERRIDE, { userId: bobSub, input }) : graphql(CLEAR_OVERRIDE, { userId: bobSub }));
      await signInAs(BOB);
    }
    const bobModels = async () => (await graphql(MODELS)).models;
    const startAsBob = (input: Partial<StartChatInput>) => graphqlErrors(graphql(START_CHAT, { input: { modelId: SIMULATOR_MODEL_ID, prompt: 'Short. [[sim:tokens=5]]', ...input } }));

    beforeAll(async () => {
      ({ sub: bobSub } = await signInAs(BOB));
    });
    afterAll(async () => {
      await overrideBob(null);
      await signInAs(ALICE);
    });

    it('narrows the models to the override\'s list and refuses the others with ModelNotAllowed', async () => {
      // Prepare
      await overrideBob({ allowedModels: [NOVA_MICRO] });
      // Act
      const models = await bobModels();
      const errors = await startAsBob({});
      // Assess
      expect(models.map((m) => m.id)).toEqual([NOVA_MICRO]);
      expect(errors?.[0]).toMatchObject({ errorType: 'ModelNotAllowed', errorInfo: { modelId: SIMULATOR_MODEL_ID, allowedModels: [NOVA_MICRO] } });
    });

    it('widens the models and the output cap beyond the groups\' when the override says so', async () => {
      // Prepare: the users group allows no Opus and caps output at 2,048 tokens.
      await overrideBob({ allowedModels: [SIMULATOR_MODEL_ID, OPUS], maxOutputTokens: 4096 });
      // Act
      const models = await bobModels();
      const errors = await startAsBob({ maxTokens: 4000 });
      // Assess
      expect(models.map((m) => m.id)).toEqual([SIMULATOR_MODEL_ID, OPUS]);
      expect(models.find((m) => m.id === SIMULATOR_MODEL_ID)?.maxOutputTokens).toBe(4096);
      expect(errors).toBeUndefined();
    });

    it('refuses maxTokens above a lowered cap with a ValidationError that names the cap', async () => {
      // Prepare
      await overrideBob({ maxOutputTokens: 100 });
      // Act
      const errors = await startAsBob({ maxTokens: 150 });
      const defaulted = await startAsBob({});
      // Assess
      expect(errors?.[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'maxTokens', maxTokens: 100 } });
      expect(errors?.[0].message).toContain('between 1 and 100');
      expect(defaulted).toBeUndefined();
    });

    it('goes back to the groups\' models once the override is cleared', async () => {
      // Act
      await overrideBob(null);
      const models = await bobModels();
      // Assess
      expect(models.map((m) => m.id)).toContain(SIMULATOR_MODEL_ID);
      expect(models.map((m) => m.id)).not.toContain(OPUS);
      expect(models.find((m) => m.id === SIMULATOR_MODEL_ID)?.maxOutputTokens).toBe(2048);
    });
  });
});
