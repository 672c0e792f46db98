/**
 * Every GraphQL document the web app sends, against schema/schema.graphql, so that a
 * schema change is one edit here (and in ./types.ts for the shapes it returns).
 */

const MODEL_FIELDS = /* GraphQL */ `
  id
  label
  provider
  maxOutputTokens
  price { inputUsd outputUsd cacheReadUsd cacheWriteUsd }
`;

const PERIOD_FIELDS = /* GraphQL */ `
  startsAt
  resetsAt
  spentUsd
  reservedUsd
  limitUsd
  remainingUsd
  requests
  inputTokens
  outputTokens
`;

const MESSAGE_FIELDS = /* GraphQL */ `
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
`;

const TURN_FIELDS = 'requestId conversationId channel modelId status createdAt';

/** The models the caller may use, with prices. */
export const MODELS = /* GraphQL */ `
  query Models {
    models { ${MODEL_FIELDS} }
  }
`;

/** The caller's spend today and this month against the limits. */
export const MY_USAGE = /* GraphQL */ `
  query MyUsage {
    myUsage {
      day { ${PERIOD_FIELDS} }
      month { ${PERIOD_FIELDS} }
    }
  }
`;

/** The caller's conversations, most recent first. */
export const CONVERSATIONS = /* GraphQL */ `
  query Conversations($limit: Int, $nextToken: String) {
    conversations(limit: $limit, nextToken: $nextToken) {
      items { id title modelId createdAt updatedAt }
      nextToken
    }
  }
`;

/** One conversation with its messages, oldest first; also how a dropped stream recovers. */
export const CONVERSATION = /* GraphQL */ `
  query Conversation($id: ID!, $limit: Int) {
    conversation(id: $id) {
      id
      title
      modelId
      createdAt
      updatedAt
      messages(limit: $limit) {
        items { ${MESSAGE_FIELDS} }
        nextToken
      }
    }
  }
`;

/** Admits a turn; it streams to the channel /chat/{sub}/{conversationId}. */
export const START_CHAT = /* GraphQL */ `
  mutation StartChat($input: StartChatInput!) {
    startChat(input: $input) { ${TURN_FIELDS} }
  }
`;

/** Stops a running turn; it ends with stopReason `cancelled`. */
export const CANCEL_CHAT = /* GraphQL */ `
  mutation CancelChat($requestId: ID!) {
    cancelChat(requestId: $requestId) { ${TURN_FIELDS} }
  }
`;

const USAGE_ROW_FIELDS = 'key userId email modelId day requests inputTokens outputTokens cacheReadTokens cacheWriteTokens costUsd apiRequests apiCostUsd';

/** Admins: spend over a UTC date range grouped by USER, MODEL or DAY; of everyone, or of `userId` only. */
export const USAGE_REPORT = /* GraphQL */ `
  query UsageReport($from: AWSDate!, $to: AWSDate!, $groupBy: UsageGroupBy!, $userId: ID) {
    usageReport(from: $from, to: $to, groupBy: $groupBy, userId: $userId) {
      from
      to
      groupBy
      userId
      totalUsd
      rows { ${USAGE_ROW_FIELDS} }
    }
  }
`;

/** Admins: the biggest spenders over a range. */
export const TOP_USERS = /* GraphQL */ `
  query TopUsers($from: AWSDate!, $to: AWSDate!, $limit: Int) {
    topUsers(from: $from, to: $to, limit: $limit) { userId email requests inputTokens outputTokens costUsd }
  }
`;

const OVERRIDE_FIELDS = 'userId dailyLimitUsd monthlyLimitUsd maxOutputTokens requestsPerMinute allowedModels expiresAt reason updatedBy updatedAt active';

/** Admins: one user's stored override (expired ones too: see `active`), or null. */
export const BUDGET_OVERRIDE = /* GraphQL */ `
  query BudgetOverride($userId: ID!) {
    budgetOverride(userId: $userId) { ${OVERRIDE_FIELDS} }
  }
`;

/** Admins: admin actions (override set/cleared), most recent first. */
export const AUDIT_LOG = /* GraphQL */ `
  query AuditLog($from: AWSDateTime, $to: AWSDateTime, $limit: Int, $nextToken: String) {
    auditLog(from: $from, to: $to, limit: $limit, nextToken: $nextToken) {
      items { id at actor action target targetEmail details }
      nextToken
    }
  }
`;

/** Admins: override one user's limits. */
export const SET_BUDGET_OVERRIDE = /* GraphQL */ `
  mutation SetBudgetOverride($userId: ID!, $input: BudgetOverrideInput!) {
    setBudgetOverride(userId: $userId, input: $input) { ${OVERRIDE_FIELDS} }
  }
`;

/** Admins: remove one user's override. */
export const CLEAR_BUDGET_OVERRIDE = /* GraphQL */ `
  mutation ClearBudgetOverride($userId: ID!) {
    clearBudgetOverride(userId: $userId) { ${OVERRIDE_FIELDS} }
  }
`;

/** Admins: the recent metric series the functions emit. */
export const LIVE_METRICS = /* GraphQL */ `
  query LiveMetrics($windowMinutes: Int) {
    liveMetrics(windowMinutes: $windowMinutes) {
      at
      windowMinutes
      series { name unit dimensions points { at value } }
    }
  }
`;

const API_KEY_FIELDS = 'id name prefix createdAt expiresAt revokedAt dailyLimitUsd usedTodayUsd active';

/** The caller's API keys for the OpenAI-compatible API (docs/openai-api.md). */
export const MY_API_KEYS = /* GraphQL */ `query MyApiKeys { myApiKeys { ${API_KEY_FIELDS} } }`;
/** Creates a key; the answer holds the secret, the only time it is shown. */
export const CREATE_API_KEY = /* GraphQL */ `
  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { ${API_KEY_FIELDS} } } }
`;
export const RENAME_API_KEY = /* GraphQL */ `mutation RenameApiKey($keyId: ID!, $name: String!) { renameApiKey(keyId: $keyId, name: $name) { ${API_KEY_FIELDS} } }`;
export const REVOKE_API_KEY = /* GraphQL */ `mutation RevokeApiKey($keyId: ID!) { revokeApiKey(keyId: $keyId) { ${API_KEY_FIELDS} } }`;
