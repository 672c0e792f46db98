import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, type GatewayManifest } from '../../infra/gateway.js';
import { REPO_ROOT } from '../../infra/cdk/gateway-config.js';
import { bundleManifestCode } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';

/**
 * A manifest that uses every feature the stack wires (code and direct handlers, a handler
 * data source, all data source kinds, a pipeline, a schedule, GSIs and TTL), with its files
 * written to a temporary directory so the suite does not depend on work in progress.
 */
const FIXTURE: GatewayManifest = {
  name: 'fixture',
  cognitoGroups: ['admins', 'users'],
  events: {
    name: 'fixture-events',
    authProviders: [AuthMode.COGNITO, AuthMode.IAM],
    defaultPublishAuthModes: [AuthMode.IAM],
    defaultSubscribeAuthModes: [AuthMode.COGNITO, AuthMode.IAM],
    namespaces: [
      { name: 'chat', publishAuthModes: [AuthMode.IAM], subscribeAuthModes: [AuthMode.COGNITO, AuthMode.IAM], codeHandlers: 'resolvers/events/chat.ts' },
      {
        name: 'audit',
        publishAuthModes: [],
        subscribeAuthModes: [],
        codeHandlers: 'resolvers/events/audit.ts',
        handlerDataSource: 'LedgerTable',
      },
      {
        name: 'hooks',
        publishAuthModes: [AuthMode.IAM],
        subscribeAuthModes: [AuthMode.IAM],
        directHandlers: { onPublish: { functionName: 'sweeper', invokeType: 'EVENT' } },
      },
    ],
  },
  graphql: {
    name: 'fixture-graphql',
    schema: 'schema/schema.graphql',
    defaultAuthMode: AuthMode.COGNITO,
    additionalAuthModes: [AuthMode.IAM],
    functions: [
      { name: 'checkInput', code: 'resolvers/graphql/check.ts', dataSource: 'NoneDS' },
      { name: 'invokeStream', code: 'resolvers/graphql/invoke.ts', dataSource: 'StreamLambda' },
    ],
    resolvers: [
      { typeName: 'Mutation', fieldName: 'startTurn', code: 'resolvers/graphql/pipeline.ts', pipeline: ['checkInput', 'invokeStream'] },
      { typeName: 'Query', fieldName: 'ping', code: 'resolvers/graphql/pipeline.ts', pipeline: ['checkInput'] },
    ],
  },
  dataSources: [
    { name: 'NoneDS', type: 'NONE' },
    { name: 'LedgerTable', type: 'AMAZON_DYNAMODB', table: 'Ledger' },
    { name: 'StreamLambda', type: 'AWS_LAMBDA', functionName: 'stream' },
  ],
  functions: [
    { name: 'stream', entry: 'functions/stream.ts', timeoutSeconds: 300, memoryMb: 512, tables: ['Ledger', 'Requests'], invokesBedrock: true, publishesTo: ['chat'] },
    { name: 'sweeper', entry: 'functions/sweeper.ts', timeoutSeconds: 60, memoryMb: 256, tables: ['Ledger'] },
  ],
  tables: [
    {
      name: 'Ledger',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      ttlAttribute: 'expiresAt',
      globalSecondaryIndexes: [{ name: 'byDay', partitionKey: { name: 'day', type: 'S' }, sortKey: { name: 'costMicros', type: 'N' } }],
    },
    { name: 'Requests', partitionKey: { name: 'requestId', type: 'S' } },
  ],
  schedules: [{ name: 'sweep', functionName: 'sweeper', everyMinutes: 5 }],
};

const FILES: Record<string, string> = {
  'schema/schema.graphql': 'type Query { ping: String }\ntype Mutation { startTurn(prompt: String!): String }\nschema { query: Query mutation: Mutation }\n',
  // onPublish calls the namespace's data source ({request, response}); onSubscribe is a plain function.
  'resolvers/events/audit.ts': [
    "import { util } from '@aws-appsync/utils';",
    'export const onPublish = {',
    "  request(ctx: any) { return { operation: 'PutItem', key: util.dynamodb.toMapValues({ pk: ctx.info.channel.path }) }; },",
    '  response(ctx: any) { return ctx.events; },',
    '};',
    'export function onSubscribe(ctx: any) { if (!ctx.identity) util.unauthorized(); }',
    '',
  ].join('\n'),
  'resolvers/graphql/check.ts': 'export function request(ctx: any) { return { payload: ctx.args }; }\nexport function response(ctx: any) { return ctx.result; }\n',
  'resolvers/graphql/invoke.ts': "export function request(ctx: any) { return { operation: 'Invoke', invocationType: 'Event', payload: ctx.args }; }\nexport function response(ctx: any) { return ctx.result; }\n",
  'resolvers/graphql/pipeline.ts': 'export function request() { return {}; }\nexport function response(ctx: any) { return ctx.prev.result; }\n',
  'functions/stream.ts': 'export const handler = async () => ({ ok: true });\n',
  'functions/sweeper.ts': 'export const handler = async () => ({ swept: 0 });\n',
  'package-lock.json': '{ "lockfileVersion": 3, "packages": {} }\n',
};

const MODEL_IDS = ['anthropic.claude-3-5-haiku-20241022-v1:0', 'global.anthropic.claude-haiku-4-5-20251001-v1:0'];

describe('the Sluice stack (fixture manifest)', () => {
  let rootDir: string;
  let stack: SluiceStack;
  let template: Template;

  beforeAll(async () => {
    rootDir = mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(rootDir, file)), { recursive: true });
      writeFileSync(join(rootDir, file), text);
    }
    // The real chat handler: the fixture exercises the same file the product ships.
    cpSync(join(REPO_ROOT, 'resolvers/events/chat.ts'), join(rootDir, 'resolvers/events/chat.ts'));
    const code = await bundleManifestCode(FIXTURE, rootDir);
    // The fixture's handlers live outside the repository, where npx finds no esbuild; the
    // parity suite bundles the real functions.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new SluiceStack(app, 'Fixture', { manifest: FIXTURE, rootDir, code, bedrockModelIds: MODEL_IDS, policyGroups: ['power-users', 'users'] });
    Aspects.of(app).add(new AwsSolutionsChecks());
    template = Template.fromStack(stack);
  }, 120_000);
  afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

  it('reports no unsuppressed cdk-nag AwsSolutions findings', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('creates the manifest and policy-config groups once each', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
    for (const GroupName of ['admins', 'users', 'power-users']) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName });
    }
  });

  it('puts the user pool on the Plus plan with threat protection enforced', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('gives the web app a public client that signs in with SRP and with a password', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      AllowedOAuthFlows: Match.absent(),
    });
  });

  it('creates the Events API with Cognito and IAM auth and IAM-only publishing by default', () => {
    template.hasResourceProperties('AWS::AppSync::Api', {
      Name: 'fixture-events',
      EventConfig: Match.objectLike({
        AuthProviders: Match.arrayWith([{ AuthType: 'AMAZON_COGNITO_USER_POOLS', CognitoConfig: Match.anyValue() }, { AuthType: 'AWS_IAM' }]),
        DefaultPublishAuthModes: [{ AuthType: 'AWS_IAM' }],
        LogConfig: Match.objectLike({ LogLevel: 'ERROR' }),
      }),
    });
  });

  it('wires each namespace with its bundled code handlers, handler data source or direct Lambda handler', () => {
    template.hasResourceProperties('AWS::AppSync::ChannelNamespace', {
      Name: 'chat',
      CodeHandlers: Match.stringLikeRegexp('export\\s*\\{[^}]*onSubscribe'),
      PublishAuthModes: [{ AuthType: 'AWS_IAM' }],
    });
    template.hasResourceProperties('AWS::AppSync::ChannelNamespace', {
      Name: 'audit',
      HandlerConfigs: { OnPublish: { Behavior: 'CODE', Integration: { DataSourceName: 'LedgerTable' } }, OnSubscribe: Match.absent() },
    });
    template.hasResourceProperties('AWS::AppSync::ChannelNamespace', {
      Name: 'hooks',
      HandlerConfigs: { OnPublish: { Behavior: 'DIRECT', Integration: { DataSourceName: 'SweeperDirect', LambdaConfig: { InvokeType: 'EVENT' } } } },
    });
  });

  it('creates the GraphQL API from the schema file with request logging and X-Ray', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      Name: 'fixture-graphql',
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      XrayEnabled: true,
      LogConfig: Match.objectLike({ FieldLogLevel: 'ERROR', ExcludeVerboseContent: false, CloudWatchLogsRoleArn: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::AppSync::GraphQLSchema', { Definition: Match.stringLikeRegexp('startTurn') });
  });

  it('creates on each API only the data sources its resolvers and handlers call, under their manifest names', () => {
    // Prepare
    const apiTypes = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [id, r.Type]));
    // Act
    const byApi = (apiType: string) =>
      Object.values(template.findResources('AWS::AppSync::DataSource'))
        .filter((r) => apiTypes[(r.Properties.ApiId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]] === apiType)
        .map((r) => `${r.Properties.Name}:${r.Properties.Type}`)
        .sort();
    // Assess
    expect(byApi('AWS::AppSync::GraphQLApi')).toEqual(['NoneDS:NONE', 'StreamLambda:AWS_LAMBDA']);
    expect(byApi('AWS::AppSync::Api')).toEqual(['LedgerTable:AMAZON_DYNAMODB', 'SweeperDirect:AWS_LAMBDA']);
  });

  it('bundles pipeline resolvers and functions to APPSYNC_JS', () => {
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      TypeName: 'Mutation',
      FieldName: 'startTurn',
      Kind: 'PIPELINE',
      Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
      Code: Match.stringLikeRegexp('ctx\\.prev\\.result'),
      PipelineConfig: { Functions: [Match.anyValue(), Match.anyValue()] },
    });
    template.hasResourceProperties('AWS::AppSync::FunctionConfiguration', {
      Name: 'invokeStream',
      Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
      Code: Match.stringLikeRegexp("invocationType: \"Event\"|invocationType: 'Event'"),
    });
  });

  it('runs functions on nodejs22.x arm64 with tracing, the Powertools environment and table names', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 300,
      MemorySize: 512,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'stream',
          POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
          TABLE_LEDGER: { Ref: Match.stringLikeRegexp('^TablesLedger') },
          TABLE_REQUESTS: { Ref: Match.stringLikeRegexp('^TablesRequests') },
          SLUICE_EVENTS_URL: Match.anyValue(),
          SLUICE_GRAPHQL_URL: Match.anyValue(),
        }),
      },
    });
  });

  it('lets only the Bedrock function stream from the configured models, and nothing else', () => {
    const policies = [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))];
    const bedrockStatements = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('bedrock:')),
      ),
    );
    expect(bedrockStatements).toHaveLength(1);
    // Streaming, and counting what a cancelled turn produced; nothing else (no InvokeModel, no wildcard action).
    expect(bedrockStatements[0]!.Action).toEqual(['bedrock:InvokeModelWithResponseStream', 'bedrock:CountTokens']);
    const resources = JSON.stringify(bedrockStatements[0]!.Resource);
    // The profile the gateway calls from the Region (read for us-east-1 at a Region-less synth), never a wildcard.
    expect(resources).toContain('inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain('foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain('inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(resources).not.toMatch(/\*/);
  });

  it('lets the streaming function publish to the chat namespace only', () => {
    const publish = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter((s) =>
        [s.Action].flat().includes('appsync:EventPublish'),
      ),
    );
    expect(publish).toHaveLength(1);
    expect(JSON.stringify(publish[0]!.Resource)).toMatch(/\/channelNamespace\/chat"/);
  });

  it('creates on-demand tables with point-in-time recovery, TTL and a retain policy', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byDay', Projection: { ProjectionType: 'ALL' } })],
      }),
    });
  });

  it('invokes the sweeper on its schedule', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsSweeper'), 'Arn'] } }),
    });
  });

  it('builds a dashboard of tokens, cost, first-token latency percentiles, errors, throttles, denials and top users', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const needle of ['Tokens by model', 'Cost by model', 'p50', 'p90', 'p99', 'Errors', 'UndeliveredStreams', 'Throttles', 'Budget denials', 'insightRule']) {
      expect(body).toContain(needle);
    }
  });

  it('ranks users by cost from the EMF user id with Contributor Insights', () => {
    template.hasResourceProperties('AWS::CloudWatch::InsightRule', {
      RuleName: Match.stringLikeRegexp('top-users-cost$'),
    });
    const [rule] = Object.values(template.findResources('AWS::CloudWatch::InsightRule', { Properties: { RuleName: Match.stringLikeRegexp('top-users-cost$') } }));
    // The body joins log group names (tokens) into JSON text; the literal parts carry the keys.
    const body = JSON.stringify(rule!.Properties.RuleBody);
    expect(body).toContain('\\"Keys\\":[\\"$.userId\\"]');
    expect(body).toContain('\\"ValueOf\\":\\"$.CostUsd\\"');
    expect(body).toContain('\\"AggregateOn\\":\\"Sum\\"');
  });

  it('alarms on errors, throttles, a budget-denial spike and p99 time to first token', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('SUM\\(BudgetDenials\\)') })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TimeToFirstTokenAllModels', ExtendedStatistic: 'p99' });
  });

  it('serves the web app from a private, SSL-only bucket through CloudFront origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', Logging: Match.anyValue() }),
    });
  });

  it('deploys a generated amplify_outputs.json beside the site', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const markers = JSON.stringify(deployments[0]!.Properties.SourceMarkers);
    expect(markers).toMatch(/UserPool|GraphQLUrl|ApiDns/);
  });

  it('exports the endpoints a client needs as stack outputs', () => {
    for (const output of ['UserPoolId', 'UserPoolClientId', 'GraphqlUrl', 'EventsHttpEndpoint', 'EventsRealtimeEndpoint', 'WebUrl', 'DashboardName']) {
      template.hasOutput(output, Match.anyValue());
    }
  });
});
