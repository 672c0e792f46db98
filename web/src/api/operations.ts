/**
 * Every GraphQL document the web app sends, against schema/schema.graphql, and the types
 * the app uses, derived from those documents: a schema change is one edit to the SDL and
 * `npm run generate:graphql`, and the types follow. A document the schema refuses (a field
 * it lacks) fails test/unit/web/graphql-documents.test.ts.
 */
import { graphql, type ResultOf, type VariablesOf } from './typed-graphql.js';

const MODEL_FIELDS = graphql(`
  fragment ModelFields on Model {
    id
    label
    provider
    maxOutputTokens
    price { inputUsd outputUsd cacheReadUsd cacheWriteUsd }
  }
`);

const PERIOD_FIELDS = graphql(`
  fragment PeriodFields on UsagePeriod {
    startsAt
    resetsAt
    spentUsd
    reservedUsd
    limitUsd
    remainingUsd
    requests
    inputTokens
    outputTokens
  }
`);

const MESSAGE_FIELDS = graphql(`
  fragment MessageFields on Message {
    id
    conversationId
    requestId
    role
    text
    status
    modelId
    stopReason
    usage { inputTokens outputTokens }
    costUsd
    createdAt
  }
`);

const TURN_FIELDS = graphql(`fragment TurnFields on ChatTurn { requestId conversationId channel modelId status createdAt }`);

/** The models the caller may use, with prices. */
export const MODELS = graphql(
  `
  query Models {
    models { ...ModelFields }
  }
`,
  [MODEL_FIELDS],
);

/** The caller's spend today and this month against the limits. */
export const MY_USAGE = graphql(
  `
  query MyUsage {
    myUsage {
      day { ...PeriodFields }
      month { ...PeriodFields }
    }
  }
`,
  [PERIOD_FIELDS],
);

/** The caller's conversations, most recent first. */
export const CONVERSATIONS = graphql(`
  query Conversations($limit: Int, $nextToken: String) {
    conversations(limit: $limit, nextToken: $nextToken) {
      items { id title modelId createdAt updatedAt }
      nextToken
    }
  }
`);

/** One conversation with its messages, oldest first; also how a dropped stream recovers. */
export const CONVERSATION = graphql(
  `
  query Conversation($id: ID!, $limit: Int) {
    conversation(id: $id) {
      id
      title
      modelId
      createdAt
      updatedAt
      messages(limit: $limit) {
        items { ...MessageFields }
        nextToken
      }
    }
  }
`,
  [MESSAGE_FIELDS],
);

/** Admits a turn; it streams to the channel /chat/{sub}/{conversationId}. */
export const START_CHAT = graphql(
  `
  mutation StartChat($input: StartChatInput!) {
    startChat(input: $input) { ...TurnFields }
  }
`,
  [TURN_FIELDS],
);

/** Stops a running turn; it ends with stopReason `cancelled`. */
export const CANCEL_CHAT = graphql(
  `
  mutation CancelChat($requestId: ID!) {
    cancelChat(requestId: $requestId) { ...TurnFields }
  }
`,
  [TURN_FIELDS],
);

/** Admins: spend over a UTC date range grouped by USER, MODEL or DAY; of everyone, or of `userId` only. */
export const USAGE_REPORT = graphql(`
  query UsageReport($from: AWSDate!, $to: AWSDate!, $groupBy: UsageGroupBy!, $userId: ID) {
    usageReport(from: $from, to: $to, groupBy: $groupBy, userId: $userId) {
      from
      to
      groupBy
      userId
      totalUsd
      rows {
        key userId email modelId day requests inputTokens outputTokens cacheReadTokens cacheWriteTokens costUsd
        apiRequests apiCostUsd
      }
    }
  }
`);

/** Admins: the biggest spenders over a range. */
export const TOP_USERS = graphql(`
  query TopUsers($from: AWSDate!, $to: AWSDate!, $limit: Int) {
    topUsers(from: $from, to: $to, limit: $limit) { userId email requests inputTokens outputTokens costUsd }
  }
`);

const OVERRIDE_FIELDS = graphql(`
  fragment OverrideFields on BudgetOverride {
    userId dailyLimitUsd monthlyLimitUsd maxOutputTokens requestsPerMinute allowedModels expiresAt reason updatedBy updatedAt active
  }
`);

/** Admins: one user's stored override (expired ones too: see `active`), or null. */
export const BUDGET_OVERRIDE = graphql(
  `
  query BudgetOverride($userId: ID!) {
    budgetOverride(userId: $userId) { ...OverrideFields }
  }
`,
  [OVERRIDE_FIELDS],
);

/** Admins: admin actions (override set/cleared), most recent first. */
export const AUDIT_LOG = graphql(`
  query AuditLog($from: AWSDateTime, $to: AWSDateTime, $limit: Int, $nextToken: String) {
    auditLog(from: $from, to: $to, limit: $limit, nextToken: $nextToken) {
      items { id at actor action target targetEmail details }
      nextToken
    }
  }
`);

/** Admins: override one user's limits. */
export const SET_BUDGET_OVERRIDE = graphql(
  `
  mutation SetBudgetOverride($userId: ID!, $input: BudgetOverrideInput!) {
    setBudgetOverride(userId: $userId, input: $input) { ...OverrideFields }
  }
`,
  [OVERRIDE_FIELDS],
);

/** Admins: remove one user's override. */
export const CLEAR_BUDGET_OVERRIDE = graphql(
  `
  mutation ClearBudgetOverride($userId: ID!) {
    clearBudgetOverride(userId: $userId) { ...OverrideFields }
  }
`,
  [OVERRIDE_FIELDS],
);

/** Admins: the recent metric series the functions emit. */
export const LIVE_METRICS = graphql(`
  query LiveMetrics($windowMinutes: Int) {
    liveMetrics(windowMinutes: $windowMinutes) {
      at
      windowMinutes
      series { name unit dimensions points { at value } }
    }
  }
`);

const API_KEY_FIELDS = graphql(`
  fragment ApiKeyFields on ApiKey { id name prefix createdAt expiresAt revokedAt dailyLimitUsd usedTodayUsd active }
`);

/** The caller's API keys for the OpenAI-compatible API (docs/openai-api.md). */
export const MY_API_KEYS = graphql(`query MyApiKeys { myApiKeys { ...ApiKeyFields } }`, [API_KEY_FIELDS]);
/** Creates a key; the answer holds the secret, the only time it is shown. */
export const CREATE_API_KEY = graphql(
  `mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { ...ApiKeyFields } } }`,
  [API_KEY_FIELDS],
);
export const RENAME_API_KEY = graphql(
  `mutation RenameApiKey($keyId: ID!, $name: String!) { renameApiKey(keyId: $keyId, name: $name) { ...ApiKeyFields } }`,
  [API_KEY_FIELDS],
);
export const REVOKE_API_KEY = graphql(`mutation RevokeApiKey($keyId: ID!) { revokeApiKey(keyId: $keyId) { ...ApiKeyFields } }`, [API_KEY_FIELDS]);

// The shapes the app passes around, as the documents above return them.

export type Model = ResultOf<typeof MODELS>['models'][number];
export type Usage = ResultOf<typeof MY_USAGE>['myUsage'];
export type UsagePeriod = Usage['day'];
export type ConversationSummary = ResultOf<typeof CONVERSATIONS>['conversations']['items'][number];
export type Conversation = NonNullable<ResultOf<typeof CONVERSATION>['conversation']>;
export type Message = Conversation['messages']['items'][number];
export type UsageReport = NonNullable<ResultOf<typeof USAGE_REPORT>['usageReport']>;
export type UsageGroupBy = VariablesOf<typeof USAGE_REPORT>['groupBy'];
export type UsageRow = UsageReport['rows'][number];
export type UserUsage = NonNullable<ResultOf<typeof TOP_USERS>['topUsers']>[number];
export type BudgetOverride = NonNullable<ResultOf<typeof BUDGET_OVERRIDE>['budgetOverride']>;
export type BudgetOverrideInput = VariablesOf<typeof SET_BUDGET_OVERRIDE>['input'];
export type AuditEntry = NonNullable<ResultOf<typeof AUDIT_LOG>['auditLog']>['items'][number];
export type LiveMetrics = NonNullable<ResultOf<typeof LIVE_METRICS>['liveMetrics']>;
export type MetricSeries = LiveMetrics['series'][number];
/** An API key as `myApiKeys` lists it: never the secret. */
export type ApiKey = ResultOf<typeof MY_API_KEYS>['myApiKeys'][number];
