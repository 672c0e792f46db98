/**
 * Who sees and changes what, through the gateway: the admin fields refuse a `users`
 * member with AppSync's Unauthorized shape, an admin sees every user's totals, a user's
 * myUsage holds only their own spend, and every override change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import type { EndEvent } from '../../schema/stream-protocol.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs, type DemoUser } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { gql, graphql, graphqlFailure } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;

const START_CHAT = gql(`
  mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId conversationId channel } }
`);
const MY_USAGE = gql(`query MyUsage { myUsage { day { spentUsd reservedUsd requests limitUsd } month { spentUsd requests } } }`);
const SET_OVERRIDE = gql(`
  mutation Set($userId: ID!, $input: BudgetOverrideInput!) { setBudgetOverride(userId: $userId, input: $input) { userId dailyLimitUsd updatedBy updatedAt } }
`);
const CLEAR_OVERRIDE = gql(`mutation Clear($userId: ID!) { clearBudgetOverride(userId: $userId) { userId dailyLimitUsd } }`);
const AUDIT_LOG = gql(`query AuditLog { auditLog(limit: 10) { items { id at actor action target targetEmail details } } }`);
const REPORT_BY_USER = gql(`
  query Report($from: AWSDate!, $to: AWSDate!) { usageReport(from: $from, to: $to, groupBy: USER) { rows { key userId email requests outputTokens costUsd } totalUsd } }
`);
const TOP_USERS = gql(`query Top($from: AWSDate!, $to: AWSDate!) { topUsers(from: $from, to: $to, limit: 5) { userId email requests costUsd } }`);
const DRILL_DOWN = gql(`
  query Drill($from: AWSDate!, $to: AWSDate!, $groupBy: UsageGroupBy!, $userId: ID) {
    usageReport(from: $from, to: $to, groupBy: $groupBy, userId: $userId) { userId rows { key userId email modelId day requests costUsd } totalUsd }
  }
`);

const micros = (usd: number) => Math.round(usd * 1_000_000);
const today = () => new Date().toISOString().slice(0, 10);

describe('admin access through the gateway', () => {
  let twin: Twin;
  const subs: Record<string, string> = {};
  const ends: Record<string, EndEvent> = {};

  /** Signs `user` in and runs one turn of `tokens` output tokens to its end. */
  async function chatAs(user: DemoUser, tokens: number): Promise<EndEvent> {
    const { sub } = await signInAs(user);
    const conversationId = `conv-${user.email.split('@')[0]}-${Date.now().toString(36)}`;
    const stream = await subscribeToTurn(`/chat/${sub}/${conversationId}`);
    await graphql(START_CHAT, { input: { conversationId, modelId: SIMULATOR_MODEL_ID, prompt: `Hello from ${user.email} [[sim:tokens=${tokens}]]`, maxTokens: 200 } });
    const collected = await stream.until((turn) => turn.final !== undefined);
    await stream.close();
    return collected.final as EndEvent;
  }

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 20 });
    configureAmplify(twin);
    for (const user of DEMO_USERS) subs[user.email] = (await signInAs(user)).sub;
    // Bob spends more than Alice, so the ranking is known.
    ends[ALICE.email] = await chatAs(ALICE, 10);
    ends[BOB.email] = await chatAs(BOB, 60);
  });
  afterAll(async () => {
    await twin?.close();
  });

  describe('a users member calling an admin field', () => {
    it.each([
      { field: 'usageReport', type: 'Query', query: `query { usageReport(from: "${today()}", to: "${today()}", groupBy: USER) { totalUsd } }` },
      { field: 'topUsers', type: 'Query', query: `query { topUsers(from: "${today()}", to: "${today()}") { userId } }` },
      { field: 'auditLog', type: 'Query', query: 'query { auditLog { items { id } } }' },
      { field: 'budgetOverride', type: 'Query', query: 'query { budgetOverride(userId: "BOB") { userId } }' },
      { field: 'liveMetrics', type: 'Query', query: 'query { liveMetrics { at } }' },
      { field: 'setBudgetOverride', type: 'Mutation', query: 'mutation { setBudgetOverride(userId: "BOB", input: { dailyLimitUsd: 1000 }) { userId } }' },
      { field: 'clearBudgetOverride', type: 'Mutation', query: 'mutation { clearBudgetOverride(userId: "BOB") { userId } }' },
    ])('gets Unauthorized for $field with the AppSync error shape', async ({ field, type, query }) => {
      // Prepare
      await signInAs(ALICE);
      // Act
      const failure = await graphqlFailure(graphql(query.replace('"BOB"', JSON.stringify(subs[BOB.email]))));
      // Assess
      expect(failure.data).toEqual({ [field]: null });
      expect(failure.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type ${type}`, path: [field] })]);
    });

    it('changes nothing when a users member tries to raise a budget', async () => {
      // Prepare
      await signInAs(ALICE);
      // Act
      await graphqlFailure(graphql('mutation Set($userId: ID!) { setBudgetOverride(userId: $userId, input: { dailyLimitUsd: 1000 }) { userId } }', { userId: subs[ALICE.email] }));
      const usage = await graphql(MY_USAGE);
      await signInAs(ADMIN);
      const audit = await graphql(AUDIT_LOG);
      // Assess: still the users group's $2 a day, and no audit entry.
      expect(usage.myUsage.day.limitUsd).toBe(2);
      expect(audit.auditLog!.items.filter((entry) => entry.target === subs[ALICE.email])).toEqual([]);
    });
  });

  it("shows each user only their own spend in myUsage", async () => {
    for (const user of [ALICE, BOB]) {
      // Act
      await signInAs(user);
      const { myUsage } = await graphql(MY_USAGE);
      // Assess
      expect(micros(myUsage.day.spentUsd)).toBe(micros(ends[user.email].costUsd));
      expect(myUsage.day.requests).toBe(1);
      expect(micros(myUsage.month.spentUsd)).toBe(micros(ends[user.email].costUsd));
      expect(myUsage.day.reservedUsd).toBe(0);
    }
    expect(micros(ends[BOB.email].costUsd)).not.toBe(micros(ends[ALICE.email].costUsd));
  });

  it("shows an admin every user's totals by user and ranks the top users", async () => {
    // Prepare
    await signInAs(ADMIN);
    const range = { from: today(), to: today() };
    // Act
    const usageReport = (await graphql(REPORT_BY_USER, range)).usageReport!;
    const topUsers = (await graphql(TOP_USERS, range)).topUsers!;
    // Assess: users by their email from the user pool, beside their sub.
    const expected = [BOB, ALICE].map((user) => ({ userId: subs[user.email], email: user.email, requests: 1, costMicros: micros(ends[user.email].costUsd) }));
    expect(usageReport.rows.map((row) => ({ userId: row.userId, email: row.email, requests: row.requests, costMicros: micros(row.costUsd) }))).toEqual(expected);
    expect(usageReport.rows.map((row) => row.outputTokens)).toEqual([ends[BOB.email].usage.outputTokens, ends[ALICE.email].usage.outputTokens]);
    expect(micros(usageReport.totalUsd)).toBe(expected[0].costMicros + expected[1].costMicros);
    expect(topUsers.map((row) => ({ userId: row.userId, email: row.email, requests: row.requests, costMicros: micros(row.costUsd) }))).toEqual(expected);
  });

  it.each([
    { groupBy: 'MODEL', key: () => SIMULATOR_MODEL_ID, field: 'modelId' },
    { groupBy: 'DAY', key: () => today(), field: 'day' },
  ] as const)("drills down to one user's spend by $groupBy", async ({ groupBy, key, field }) => {
    // Prepare
    await signInAs(ADMIN);
    const bobSub = subs[BOB.email];
    // Act
    const usageReport = (await graphql(DRILL_DOWN, { from: today(), to: today(), groupBy, userId: bobSub })).usageReport!;
    // Assess: Bob's turn only, not Alice's.
    expect(usageReport.userId).toBe(bobSub);
    expect(usageReport.rows).toEqual([expect.objectContaining({ key: key(), [field]: key(), userId: bobSub, email: BOB.email, requests: 1 })]);
    expect(micros(usageReport.totalUsd)).toBe(micros(ends[BOB.email].costUsd));
  });

  it('refuses a drill-down user id that is not an id, with a ValidationError', async () => {
    // Prepare
    await signInAs(ADMIN);
    // Act
    const failure = await graphqlFailure(graphql(`query { usageReport(from: "${today()}", to: "${today()}", groupBy: DAY, userId: "a/b") { totalUsd } }`));
    // Assess
    expect(failure.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining('userId') })]);
  });

  it('audits setting and clearing an override: who, what, when', async () => {
    // Prepare
    await signInAs(ADMIN);
    const aliceSub = subs[ALICE.email];
    const before = new Date().toISOString();
    // Act
    const set = await graphql(SET_OVERRIDE, {
      userId: aliceSub,
      input: { dailyLimitUsd: 5, reason: 'conference week' },
    });
    const cleared = await graphql(CLEAR_OVERRIDE, { userId: aliceSub });
    const after = new Date().toISOString();
    const auditLog = (await graphql(AUDIT_LOG)).auditLog!;
    // Assess
    // Assess: the admin and the user by email; the reason is kept, not dropped.
    expect(set.setBudgetOverride).toMatchObject({ userId: aliceSub, dailyLimitUsd: 5, updatedBy: ADMIN.email });
    expect(cleared.clearBudgetOverride).toMatchObject({ userId: aliceSub, dailyLimitUsd: 5 });
    const entries = auditLog.items.filter((entry) => entry.target === aliceSub);
    // Amplify hands AWSJSON back as the JSON string.
    const overrideSet = { dailyLimitUsd: 5, reason: 'conference week' };
    expect(entries.map((entry) => ({ actor: entry.actor, targetEmail: entry.targetEmail, action: entry.action, details: JSON.parse(entry.details as string) as unknown }))).toEqual([
      { actor: ADMIN.email, targetEmail: ALICE.email, action: 'ClearBudgetOverride', details: { before: overrideSet, after: null } },
      { actor: ADMIN.email, targetEmail: ALICE.email, action: 'SetBudgetOverride', details: { before: null, after: overrideSet } },
    ]);
    for (const entry of entries) {
      expect(entry.at >= before && entry.at <= after).toBe(true);
    }
  });
});
