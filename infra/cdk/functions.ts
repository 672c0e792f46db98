import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import { AppSyncEventResource, type EventApi } from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, InvokeMode, Tracing, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { isAbsolute, resolve } from 'node:path';
import { FUNCTION_BUNDLING } from '../function-bundle.js';
import type { LambdaFunction } from '../gateway.js';
import { pascal } from './auth.js';
import { SYNTH_FALLBACK_REGION, bedrockModelArns, unavailableModelIds } from './bedrock-arns.js';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, LOG_RETENTION } from './defaults.js';
import { METRICS_NAMESPACE } from './metrics.js';
import type { SluiceTables } from './tables.js';
import { tableEnvironmentName } from './tables.js';

export interface SluiceFunctionsProps {
  functions: LambdaFunction[];
  /** Directory the manifest's entries are relative to; holds package-lock.json. */
  rootDir: string;
  tables: SluiceTables;
  eventApi: EventApi;
  /** The GraphQL endpoint, for functions that call back into the API. */
  graphqlUrl: string;
  /** Bedrock model and inference profile ids from the model config. */
  bedrockModelIds: readonly string[];
  /** The user pool functions with `readsUserPool` look users up in; required if any has it. */
  userPool?: IUserPool;
  /** The header value CloudFront adds to requests for function URLs (`SLUICE_ORIGIN_SECRET`). */
  originSecret?: string;
}

/**
 * The manifest's Lambda functions: NodejsFunction bundled by the local esbuild (never
 * Docker), nodejs22.x on arm64, X-Ray tracing, the Powertools environment, `TABLE_<NAME>`
 * for every table (as on the twin) and IAM grants limited to what each function declares
 * (tables, Bedrock models, Events namespaces, other functions, ListUsers on the user pool).
 *
 * @example
 * ```ts
 * const fns = new SluiceFunctions(this, 'Functions', { functions: gateway.functions, rootDir, tables, eventApi, graphqlUrl, bedrockModelIds });
 * fns.byName.get('stream');
 * ```
 */
export class SluiceFunctions extends Construct {
  readonly byName = new Map<string, NodejsFunction>();
  /** Function URLs of the functions the manifest serves over HTTPS (`url`). */
  readonly urls = new Map<string, FunctionUrl>();
  readonly logGroups = new Map<string, logs.LogGroup>();

  constructor(scope: Construct, id: string, props: SluiceFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const tableEnvironment = Object.fromEntries(
      [...props.tables.byName].map(([name, table]) => [tableEnvironmentName(name), table.tableName]),
    );
    const poolReaders = props.functions.filter((spec) => spec.readsUserPool || spec.readsUserGroups).map((spec) => spec.name);
    if (poolReaders.length > 0 && !props.userPool) {
      throw new Error(`Functions ${poolReaders.join(', ')} read the user pool (readsUserPool), but SluiceFunctions was given no userPool.`);
    }
    for (const spec of props.functions) {
      const logicalId = pascal(spec.name);
      const logGroup = new logs.LogGroup(this, `${logicalId}Logs`, { retention: LOG_RETENTION });
      const fn = new NodejsFunction(this, logicalId, {
        entry: isAbsolute(spec.entry) ? spec.entry : resolve(props.rootDir, spec.entry),
        handler: 'handler',
        depsLockFilePath: resolve(props.rootDir, 'package-lock.json'),
        projectRoot: props.rootDir,
        runtime: LAMBDA_RUNTIME,
        architecture: LAMBDA_ARCHITECTURE,
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memoryMb,
        reservedConcurrentExecutions: spec.reservedConcurrency,
        tracing: Tracing.ACTIVE,
        logGroup,
        environment: {
          ...spec.environment,
          ...tableEnvironment,
          POWERTOOLS_SERVICE_NAME: spec.name,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          SLUICE_EVENTS_URL: `https://${props.eventApi.httpDns}/event`,
          SLUICE_GRAPHQL_URL: props.graphqlUrl,
          NODE_OPTIONS: '--enable-source-maps',
          ...(spec.readsUserPool || spec.readsUserGroups ? { USER_POOL_ID: props.userPool!.userPoolId } : {}),
          // CloudFront sends it with every request to the function URL; the function refuses a request without it.
          ...(spec.url && props.originSecret ? { SLUICE_ORIGIN_SECRET: props.originSecret } : {}),
        },
        bundling: {
          forceDockerBundling: false,
          format: OutputFormat.ESM,
          // The same options the twin bundles with (infra/function-bundle.ts).
          ...FUNCTION_BUNDLING,
          externalModules: [...FUNCTION_BUNDLING.externalModules],
        },
      });
      this.byName.set(spec.name, fn);
      if (spec.url) {
        // AuthType NONE: OAC would make every client sign its POST body (x-amz-content-sha256),
        // which no OpenAI client does. The function authenticates each request itself (API key
        // or Cognito token) and refuses one that did not come through CloudFront (docs/openai-api.md).
        this.urls.set(spec.name, fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.RESPONSE_STREAM }));
      }
      this.logGroups.set(spec.name, logGroup);
      for (const tableName of spec.tables) props.tables.byName.get(tableName)!.grantReadWriteData(fn);
      if (spec.invokesBedrock) this.#grantBedrock(fn, spec, props.bedrockModelIds, stack);
      // ListUsers on this one pool: enough to find a user's email by sub, and nothing it could change.
      if (spec.readsUserPool) props.userPool!.grant(fn, 'cognito-idp:ListUsers');
      // An API key acts as its user with the groups the user has now: read them per request.
      if (spec.readsUserGroups) props.userPool!.grant(fn, 'cognito-idp:AdminListGroupsForUser');
      for (const namespace of spec.publishesTo ?? []) {
        props.eventApi.grant(fn, AppSyncEventResource.ofChannelNamespace(namespace), 'appsync:EventPublish');
      }
      this.#suppressRuntimeFindings(fn);
    }
    // Invocation grants need every function to exist first.
    for (const spec of props.functions) {
      for (const callee of spec.invokes ?? []) this.byName.get(callee)!.grantInvoke(this.byName.get(spec.name)!);
    }
  }

  #grantBedrock(fn: NodejsFunction, spec: LambdaFunction, modelIds: readonly string[], stack: Stack): void {
    if (modelIds.length === 0) {
      throw new Error(`Function ${spec.name} invokes Bedrock, but no models are configured; list them in the model config.`);
    }
    const region = modelRegion(stack);
    const unavailable = unavailableModelIds(modelIds, region);
    if (unavailable.length > 0) {
      Annotations.of(fn).addWarningV2('sluice:model-unavailable', `Not offered by Bedrock in ${region}, so not granted: ${unavailable.join(', ')}`);
    }
    // A managed policy of its own: one ARN pair per model would overflow the role's default
    // inline policy, and the overflow CDK creates at synth would escape the suppression below.
    const policy = new iam.ManagedPolicy(this, `${pascal(spec.name)}Bedrock`, {
      description: `Sluice ${spec.name}: stream from the configured Bedrock models only`,
      roles: [fn.role!],
      statements: [
        new iam.PolicyStatement({
          // ConverseStream is authorized as InvokeModelWithResponseStream; CountTokens prices
          // what a cancelled or failed turn produced (functions/chat-stream/produced-usage.ts).
          actions: ['bedrock:InvokeModelWithResponseStream', 'bedrock:CountTokens'],
          resources: bedrockModelArns(modelIds, { region, account: stack.account, partition: stack.partition }),
        }),
      ],
    });
    // The function must not run before it may call the model.
    // On the CloudFormation resource only: the whole construct would include the role, a cycle.
    fn.node.defaultChild!.node.addDependency(policy);
    NagSuppressions.addResourceSuppressions(
      policy,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Each statement names one configured model: its geographic inference profiles (us./eu./global.) and the foundation model in every region those profiles route to.',
          appliesTo: [
            { regex: '/^Resource::arn:<AWS::Partition>:bedrock:\\*::foundation-model\\/.+$/' },
            { regex: '/^Resource::arn:<AWS::Partition>:bedrock:.+:inference-profile\\/\\*\\..+$/' },
          ],
        },
      ],
      true,
    );
  }

  #suppressRuntimeFindings(fn: NodejsFunction): void {
    NagSuppressions.addResourceSuppressions(fn, [
      { id: 'AwsSolutions-L1', reason: 'nodejs22.x is the runtime fixed for Sluice and its local twin (Node ≥ 20); bump both together.' },
    ]);
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'AWSLambdaBasicExecutionRole only allows writing the function its own CloudWatch logs.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; DynamoDB grants cover the table\'s own indexes (table/index/*).',
          appliesTo: ['Resource::*', { regex: '/^Resource::<.+\\.Arn>\\/index\\/\\*$/' }],
        },
      ],
      true,
    );
  }
}

/**
 * The Region the model rules are read for: the stack's, or, when it is unknown at synth (no
 * CDK_DEFAULT_REGION), SYNTH_FALLBACK_REGION with a warning, since which id and ARNs a model
 * needs depends on the Region.
 */
function modelRegion(stack: Stack): string {
  if (!Token.isUnresolved(stack.region)) return stack.region;
  Annotations.of(stack).addWarningV2(
    'sluice:model-region',
    `The stack's Region is unknown at synth: Bedrock grants follow the model rules of ${SYNTH_FALLBACK_REGION}. Set CDK_DEFAULT_REGION (cdk deploy does).`,
  );
  return SYNTH_FALLBACK_REGION;
}
