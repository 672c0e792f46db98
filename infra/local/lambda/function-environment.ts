/**
 * The environment variables one function's execution environments see: the function's own
 * (what the CDK stack sets for it), where the twin's services are, and what Lambda itself
 * sets. Nothing of the twin's own process, and nothing of another function, gets in.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import type { LambdaFunction } from '../../gateway.js';

/** What every function of one twin shares: its endpoints, credentials and tables. */
export interface TwinFunctionSettings {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `TABLE_<NAME>` for every table, as the CDK stack gives every function. */
  tableVariables: Record<string, string>;
  eventsUrl: string;
  graphqlUrl: string;
  metricsUrl: string;
  dynamodbEndpoint: string;
  bedrockEndpoint: string;
  cognitoEndpoint: string;
  userPoolId: string;
  /** The twin's development CA, trusted by every function as Lambda's runtime CA bundle is. */
  caPath: string;
  metricsNamespace: string;
}

/** The Lambda runtime the twin stands in for (its `AWS_EXECUTION_ENV`). */
export const LAMBDA_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';

export function functionEnvironment(fn: LambdaFunction, settings: TwinFunctionSettings, taskRoot: string): Record<string, string> {
  return {
    // The function's configuration, as infra/cdk/functions.ts sets it.
    ...fn.environment,
    ...settings.tableVariables,
    POWERTOOLS_SERVICE_NAME: fn.name,
    POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
    SLUICE_EVENTS_URL: settings.eventsUrl,
    SLUICE_GRAPHQL_URL: settings.graphqlUrl,
    NODE_OPTIONS: '--enable-source-maps',
    ...(fn.readsUserPool || fn.readsUserGroups ? { USER_POOL_ID: settings.userPoolId, SLUICE_COGNITO_ENDPOINT: settings.cognitoEndpoint } : {}),
    // Where the twin's services answer; in the cloud the SDK finds AWS's own endpoints.
    SLUICE_DYNAMODB_ENDPOINT: settings.dynamodbEndpoint,
    SLUICE_BEDROCK_ENDPOINT: settings.bedrockEndpoint,
    SLUICE_METRICS_URL: settings.metricsUrl,
    // The runtime's CA bundle: Lambda points NODE_EXTRA_CA_CERTS at its own; the twin at its CA.
    NODE_EXTRA_CA_CERTS: settings.caPath,
    // The twin runs functions on the machine's Node, not nodejs22.x; the SDK's notice about that is noise.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // What Lambda sets in every execution environment.
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    AWS_EXECUTION_ENV: LAMBDA_EXECUTION_ENV,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${fn.name}`,
    AWS_ACCESS_KEY_ID: settings.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.secretAccessKey,
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: 'index.handler',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
  };
}
