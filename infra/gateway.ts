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
  memoryMb: number;
  /** Tables the function reads or writes, by manifest name. */
  tables: string[];
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
}

export const gateway: GatewayManifest = {
  name: 'sluice',
  cognitoGroups: ['admins', 'users'],
  events: {
    name: 'sluice-events',
    authProviders: [AuthMode.COGNITO, AuthMode.IAM, AuthMode.API_KEY],
    defaultPublishAuthModes: [AuthMode.IAM],
    defaultSubscribeAuthModes: [AuthMode.COGNITO, AuthMode.IAM],
    namespaces: [
      {
        // Token streams: only the gateway's IAM role publishes; a user subscribes to
        // its own /chat/{sub}/... channels only (enforced in the handler).
        name: 'chat',
        publishAuthModes: [AuthMode.IAM],
        subscribeAuthModes: [AuthMode.COGNITO, AuthMode.IAM],
        codeHandlers: 'resolvers/events/chat.ts',
      },
    ],
  },
  graphql: {
    name: 'sluice-graphql',
    schema: 'schema/schema.graphql',
    defaultAuthMode: AuthMode.COGNITO,
    additionalAuthModes: [AuthMode.IAM, AuthMode.API_KEY],
    functions: [],
    resolvers: [],
  },
  dataSources: [{ name: 'NoneDS', type: 'NONE' }],
  functions: [],
  tables: [],
};
