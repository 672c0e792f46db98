/**
 * The gateway manifest: the one description of Sluice that both hosts read.
 *
 * The CDK stack (infra/cdk) and the local twin (infra/local) wire exactly what is
 * declared here, so the cloud and the laptop cannot drift. Paths are relative to the
 * repository root.
 *
 * @example
 * ```ts
 * import { gateway } from './gateway.js';
 * const chat = gateway.events.namespaces.find((ns) => ns.name === 'chat');
 * ```
 */

/** AppSync auth modes, spelled as AppSync spells them. */
export const AuthMode = {
  API_KEY: 'API_KEY',
  COGNITO: 'AMAZON_COGNITO_USER_POOLS',
  IAM: 'AWS_IAM',
  LAMBDA: 'AWS_LAMBDA',
} as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

/** A direct Lambda integration for a channel handler (`behavior: DIRECT`). */
export interface DirectLambdaHandler {
  /** Name of a function in {@link GatewayManifest.functions}. */
  functionName: string;
  invokeType: 'REQUEST_RESPONSE' | 'EVENT';
}

export interface ChannelNamespace {
  name: string;
  /** Auth modes allowed to publish; empty means inherit the API default. */
  publishAuthModes: AuthMode[];
  subscribeAuthModes: AuthMode[];
  /** APPSYNC_JS handler file exporting `onPublish` and/or `onSubscribe`. */
  codeHandlers?: string;
  /** Data source the code handlers' `{request, response}` objects call. */
  handlerDataSource?: string;
  directHandlers?: { onPublish?: DirectLambdaHandler; onSubscribe?: DirectLambdaHandler };
}

export interface EventsApi {
  name: string;
  authProviders: AuthMode[];
  defaultPublishAuthModes: AuthMode[];
  defaultSubscribeAuthModes: AuthMode[];
  namespaces: ChannelNamespace[];
}

export interface LambdaFunction {
  name: string;
  /** Handler file; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  /** Memory size; on the twin it is also the heap limit of each execution environment. */
  memoryMb: number;
  /**
   * Most execution environments at once: reserved concurrency in the cloud, and the point
   * where the twin throttles. @default the account's unreserved concurrency (the twin: 100)
   */
  reservedConcurrency?: number;
  /** Tables the function reads or writes, by manifest name. */
  tables: string[];
  /** Variables of the function's own, beside those both hosts derive from this manifest. @default {} */
  environment?: Record<string, string>;
  /** Calls Bedrock `ConverseStream`; the cloud grants it only the configured models. @default false */
  invokesBedrock?: boolean;
  /** Events namespaces it publishes to (the cloud grants `appsync:EventPublish` on these only). @default [] */
  publishesTo?: string[];
  /** Other manifest functions it invokes directly (Lambda `Invoke`). @default [] */
  invokes?: string[];
  /**
   * Looks users up in the Cognito user pool (`cognito-idp:ListUsers`, e.g. emails for the
   * admin views); it gets `USER_POOL_ID`, and the cloud grants ListUsers on the pool only. @default false
   */
  readsUserPool?: boolean;
  /**
   * Reads a user's groups from the user pool (`cognito-idp:AdminListGroupsForUser`): an API
   * key acts as its user with the groups the user has now. Implies the pool's id, as
   * `readsUserPool` does. @default false
   */
  readsUserGroups?: boolean;
  /**
   * Served over HTTPS at these paths: a Lambda function URL in RESPONSE_STREAM mode behind
   * the CloudFront distribution in the cloud, the twin's HTTPS port on the laptop. The
   * handler is wrapped in `awslambda.streamifyResponse`.
   */
  url?: FunctionUrl;
}

/** A function URL's routing: the path prefixes CloudFront (and the twin) send to it. */
export interface FunctionUrl {
  invokeMode: 'RESPONSE_STREAM';
  /** Path prefixes, each ending in `/`, e.g. `/v1/`. */
  pathPrefixes: string[];
}

/** A function run on a timer: EventBridge Scheduler in the cloud, a timer on the twin. */
export interface Schedule {
  name: string;
  /** Name of a function in {@link GatewayManifest.functions}. */
  functionName: string;
  /** How often, in minutes (the cloud writes `rate(n minutes)`). */
  everyMinutes: number;
}

export interface TableKey {
  name: string;
  type: 'S' | 'N';
}

export interface Table {
  /** Logical name; the physical name gets a stack or test prefix. */
  name: string;
  partitionKey: TableKey;
  sortKey?: TableKey;
  ttlAttribute?: string;
  globalSecondaryIndexes?: { name: string; partitionKey: TableKey; sortKey?: TableKey }[];
}

export type DataSource =
  | { name: string; type: 'AMAZON_DYNAMODB'; table: string }
  | { name: string; type: 'AWS_LAMBDA'; functionName: string }
  | { name: string; type: 'NONE' };

export interface PipelineResolver {
  typeName: string;
  fieldName: string;
  /** Resolver file with `request`/`response` (the before/after steps). */
  code: string;
  /** Pipeline functions in order, by name from {@link GraphqlApi.functions}. */
  pipeline: string[];
}

export interface PipelineFunction {
  name: string;
  code: string;
  dataSource: string;
}

export interface GraphqlApi {
  name: string;
  schema: string;
  defaultAuthMode: AuthMode;
  additionalAuthModes: AuthMode[];
  functions: PipelineFunction[];
  resolvers: PipelineResolver[];
  /**
   * Nested field levels one operation may have (AppSync's `queryDepthLimit`, 1–75).
   * @default no limit
   * @see https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html
   */
  queryDepthLimit?: number;
  /**
   * Resolvers one request may run (AppSync's `resolverCountLimit`, 1–10,000).
   * @default 10_000
   * @see https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html
   */
  resolverCountLimit?: number;
}

export interface GatewayManifest {
  name: string;
  /** Cognito groups every deployment has, beyond those in the policy config. */
  cognitoGroups: string[];
  events: EventsApi;
  graphql: GraphqlApi;
  dataSources: DataSource[];
  functions: LambdaFunction[];
  tables: Table[];
  /** Timers, e.g. the sweeper that releases expired budget reservations. @default [] */
  schedules?: Schedule[];
}

export const gateway: GatewayManifest = {
  name: 'sluice',
  cognitoGroups: ['admins', 'power-users', 'users'],
  events: {
    name: 'sluice-events',
    // No API_KEY on either API: no namespace or field accepts one, and a key would be a
    // public credential in amplify_outputs.json that grants nothing and expires silently.
    authProviders: [AuthMode.COGNITO, AuthMode.IAM],
    defaultPublishAuthModes: [AuthMode.IAM],
    defaultSubscribeAuthModes: [AuthMode.COGNITO],
    namespaces: [
      {
        // Token streams: only the gateway's IAM role publishes; a user subscribes to
        // its own /chat/{sub}/... channels only (enforced in the handler). No IAM subscribe:
        // any principal of the account with appsync:EventSubscribe could read every stream.
        name: 'chat',
        publishAuthModes: [AuthMode.IAM],
        subscribeAuthModes: [AuthMode.COGNITO],
        codeHandlers: 'resolvers/events/chat.ts',
      },
      {
        // The second way to start a turn, over the socket a client already holds: a user
        // publishes a prompt to its own /prompts/{sub}; onPublish hands it to promptIntake
        // (invocation type Event) and broadcasts nothing. Errors answer on /chat/{sub}/{conversationId}.
        name: 'prompts',
        publishAuthModes: [AuthMode.COGNITO],
        subscribeAuthModes: [AuthMode.COGNITO],
        codeHandlers: 'resolvers/events/prompts.ts',
        handlerDataSource: 'PromptIntakeLambda',
      },
    ],
  },
  graphql: {
    name: 'sluice-graphql',
    schema: 'schema/schema.graphql',
    defaultAuthMode: AuthMode.COGNITO,
    additionalAuthModes: [AuthMode.IAM],
    // Sluice's deepest query (a conversation's messages and their usage) nests 4 levels;
    // a page of conversations with their messages runs about 100 resolvers. Anything far
    // past that is abuse (10,000 aliases of one field), refused before it runs.
    queryDepthLimit: 10,
    resolverCountLimit: 1_000,
    // Pipeline functions: one APPSYNC_JS file each under resolvers/graphql/functions/.
    functions: [
      { name: 'validateChatInput', code: 'resolvers/graphql/functions/validateChatInput.ts', dataSource: 'NoneDS' },
      { name: 'admitChatTurn', code: 'resolvers/graphql/functions/admitChatTurn.ts', dataSource: 'GatewayApiLambda' },
      { name: 'callGatewayApi', code: 'resolvers/graphql/functions/callGatewayApi.ts', dataSource: 'GatewayApiLambda' },
      { name: 'invokeChatStream', code: 'resolvers/graphql/functions/invokeChatStream.ts', dataSource: 'ChatStreamLambda' },
      { name: 'cancelChatRequest', code: 'resolvers/graphql/functions/cancelChatRequest.ts', dataSource: 'BudgetsTable' },
      { name: 'listConversations', code: 'resolvers/graphql/functions/listConversations.ts', dataSource: 'ConversationsTable' },
      { name: 'getConversation', code: 'resolvers/graphql/functions/getConversation.ts', dataSource: 'ConversationsTable' },
      { name: 'listMessages', code: 'resolvers/graphql/functions/listMessages.ts', dataSource: 'MessagesTable' },
      { name: 'validateBudgetOverride', code: 'resolvers/graphql/functions/validateBudgetOverride.ts', dataSource: 'NoneDS' },
    ],
    // Every resolver is a pipeline (before/after in resolvers/graphql/<Type>.<field>.ts).
    resolvers: [
      { typeName: 'Mutation', fieldName: 'startChat', code: 'resolvers/graphql/Mutation.startChat.ts', pipeline: ['validateChatInput', 'admitChatTurn', 'invokeChatStream'] },
      { typeName: 'Mutation', fieldName: 'cancelChat', code: 'resolvers/graphql/Mutation.cancelChat.ts', pipeline: ['cancelChatRequest'] },
      { typeName: 'Query', fieldName: 'models', code: 'resolvers/graphql/Query.models.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'myUsage', code: 'resolvers/graphql/Query.myUsage.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'conversations', code: 'resolvers/graphql/Query.conversations.ts', pipeline: ['listConversations'] },
      { typeName: 'Query', fieldName: 'conversation', code: 'resolvers/graphql/Query.conversation.ts', pipeline: ['getConversation'] },
      { typeName: 'Conversation', fieldName: 'messages', code: 'resolvers/graphql/Conversation.messages.ts', pipeline: ['listMessages'] },
      { typeName: 'Query', fieldName: 'usageReport', code: 'resolvers/graphql/Query.usageReport.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'budgetOverride', code: 'resolvers/graphql/Query.budgetOverride.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'topUsers', code: 'resolvers/graphql/Query.topUsers.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'auditLog', code: 'resolvers/graphql/Query.auditLog.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'liveMetrics', code: 'resolvers/graphql/Query.liveMetrics.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'setBudgetOverride', code: 'resolvers/graphql/Mutation.setBudgetOverride.ts', pipeline: ['validateBudgetOverride', 'callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'clearBudgetOverride', code: 'resolvers/graphql/Mutation.clearBudgetOverride.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'myApiKeys', code: 'resolvers/graphql/Query.myApiKeys.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'createApiKey', code: 'resolvers/graphql/Mutation.createApiKey.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'renameApiKey', code: 'resolvers/graphql/Mutation.renameApiKey.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'revokeApiKey', code: 'resolvers/graphql/Mutation.revokeApiKey.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Query', fieldName: 'apiKeys', code: 'resolvers/graphql/Query.apiKeys.ts', pipeline: ['callGatewayApi'] },
      { typeName: 'Mutation', fieldName: 'adminRevokeApiKey', code: 'resolvers/graphql/Mutation.adminRevokeApiKey.ts', pipeline: ['callGatewayApi'] },
    ],
  },
  dataSources: [
    { name: 'NoneDS', type: 'NONE' },
    // cancelChat flags the turn's open reservation in the caller's own budget item.
    { name: 'BudgetsTable', type: 'AMAZON_DYNAMODB', table: 'Budgets' },
    { name: 'ConversationsTable', type: 'AMAZON_DYNAMODB', table: 'Conversations' },
    { name: 'MessagesTable', type: 'AMAZON_DYNAMODB', table: 'Messages' },
    { name: 'ChatStreamLambda', type: 'AWS_LAMBDA', functionName: 'chatStream' },
    { name: 'GatewayApiLambda', type: 'AWS_LAMBDA', functionName: 'gatewayApi' },
    { name: 'PromptIntakeLambda', type: 'AWS_LAMBDA', functionName: 'promptIntake' },
  ],
  functions: [
    {
      // Streams one chat turn: Bedrock ConverseStream → batched publishes to /chat/{sub}/{conversationId}.
      name: 'chatStream',
      entry: 'functions/chat-stream/handler.ts',
      timeoutSeconds: 300,
      memoryMb: 512,
      tables: ['ChatRequests', 'Conversations', 'Messages', 'Budgets', 'Ledger'],
      invokesBedrock: true,
      publishesTo: ['chat'],
    },
    {
      // Admission and the ledger's reads and writes for the GraphQL pipeline (RequestResponse);
      // admins' views name users by the email it looks up in the user pool. Admission is one
      // write on the user's budget item; beside it, it reads ChatRequests (a request recorded
      // before) and Conversations (a new conversation's absence), hence those tables.
      name: 'gatewayApi',
      entry: 'functions/gateway-api/handler.ts',
      timeoutSeconds: 15,
      memoryMb: 256,
      tables: ['Budgets', 'Ledger', 'ChatRequests', 'Conversations', 'Messages'],
      readsUserPool: true,
    },
    {
      // Admits prompts published to /prompts/{sub} (the gateway API's admit code, the shared
      // validation and request record) and streams them in the same invocation, so it needs
      // chatStream's timeout, memory and grants.
      name: 'promptIntake',
      entry: 'functions/prompt-intake/handler.ts',
      timeoutSeconds: 300,
      memoryMb: 512,
      tables: ['ChatRequests', 'Conversations', 'Messages', 'Budgets', 'Ledger'],
      invokesBedrock: true,
      publishesTo: ['chat'],
    },
    {
      // The OpenAI-compatible API (/v1/chat/completions, /v1/models): admits with the gateway
      // API's code and streams with the chat-stream code in the same invocation, writing
      // server-sent events to its response stream. Authenticates API keys (Budgets) and Cognito
      // access tokens, and reads a key owner's groups from the pool at use time.
      name: 'openaiApi',
      entry: 'functions/openai-api/handler.ts',
      timeoutSeconds: 300,
      memoryMb: 512,
      tables: ['ChatRequests', 'Conversations', 'Messages', 'Budgets', 'Ledger'],
      invokesBedrock: true,
      readsUserGroups: true,
      url: { invokeMode: 'RESPONSE_STREAM', pathPrefixes: ['/v1/'] },
    },
    {
      // Releases the reservations of turns that never started once they expire, and ends
      // turns whose function died (bills what they produced, keeps their text, publishes
      // their error event); on the twin also once at start.
      name: 'budgetSweeper',
      entry: 'functions/budget-sweeper/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      tables: ['Budgets', 'Ledger', 'ChatRequests', 'Conversations', 'Messages'],
      publishesTo: ['chat'],
    },
  ],
  schedules: [{ name: 'sweepExpiredReservations', functionName: 'budgetSweeper', everyMinutes: 5 }],
  tables: [
    {
      // One item per chat turn, keyed by requestId: status, cancel flag, idempotency claim.
      name: 'ChatRequests',
      partitionKey: { name: 'requestId', type: 'S' },
      ttlAttribute: 'expiresAt',
    },
    {
      // A user's conversations; conversationId is a ULID, so the sort key is creation order.
      name: 'Conversations',
      partitionKey: { name: 'userId', type: 'S' },
      sortKey: { name: 'conversationId', type: 'S' },
    },
    {
      // Messages of a conversation; messageId is a ULID (time-ordered).
      name: 'Messages',
      partitionKey: { name: 'conversationId', type: 'S' },
      sortKey: { name: 'messageId', type: 'S' },
    },
    {
      // Budget state (functions/shared/ledger): per-user budget items (period totals, rate window,
      // open reservations; sparse index of the items with open turns, for the sweeper), overrides,
      // closed reservations, admin audit.
      name: 'Budgets',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      ttlAttribute: 'expiresAtEpochSeconds',
      globalSecondaryIndexes: [
        { name: 'openReservations', partitionKey: { name: 'openPartition', type: 'S' }, sortKey: { name: 'expiresAt', type: 'S' } },
      ],
    },
    {
      // Usage ledger: one item per user, UTC day and model; index by day for admin reports.
      name: 'Ledger',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalSecondaryIndexes: [{ name: 'byDay', partitionKey: { name: 'day', type: 'S' }, sortKey: { name: 'userModel', type: 'S' } }],
    },
  ],
};
