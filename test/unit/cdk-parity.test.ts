import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleAppSyncJs } from '../../infra/appsync-bundle.js';
import { gateway } from '../../infra/gateway.js';
import { pascal } from '../../infra/cdk/auth.js';
import { REPO_ROOT, gatewayConfig } from '../../infra/cdk/gateway-config.js';
import { loadAppSyncJsModule } from '../../infra/appsync-js/runtime.js';
import { AppSyncJsFlavor } from '../../infra/appsync-js/types.js';
import { manifestProblems } from '../../infra/cdk/manifest-checks.js';
import { bundleManifestCode } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';
import { cfnLint, describeFindings } from '../helpers/cfn-lint.js';
import { deployedAmplifyOutputs } from '../helpers/deployed-outputs.js';

type Resource = { Properties: Record<string, unknown> };

/** cfn-lint reads a 9,000-line template in about 7 s alone; a loaded 2-core machine takes several times that. */
const CFN_LINT_TIMEOUT_MS = 180_000;

/** The environment variable the twin gives each function per table (infra/local/twin.ts). */
const twinTableVariable = (name: string) => `TABLE_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

/** Values of `AuthType` / `AuthenticationType` keys anywhere inside a resource's properties. */
function authTypesIn(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    (key === 'AuthType' || key === 'AuthenticationType') && typeof child === 'string' ? [child] : authTypesIn(child),
  );
}

/**
 * The cloud and the twin both read infra/gateway.ts; this suite synthesizes the real stack
 * from the real manifest (functions bundled by the local esbuild, as `cdk synth` does) and
 * checks that the template wires exactly what the twin wires from the same manifest.
 */
describe('cloud and twin parity (real manifest)', () => {
  let template: Template;
  let stack: SluiceStack;
  let app: App;
  let synthError: unknown;
  const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
  const synthesized = () => {
    if (synthError) throw synthError;
    return template;
  };
  /** The manifest functions by name (their POWERTOOLS_SERVICE_NAME); CDK's own helpers have none. */
  const functionsByName = () => {
    const functions = resources('AWS::Lambda::Function').filter(
      (f) => (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    return new Map(functions.map((f) => [(f.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_SERVICE_NAME, f]));
  };
  /** `name:type` of each AppSync data source, grouped by the resource type of the API it belongs to. */
  const dataSourcesByApiType = () => {
    const typeById = Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>).map(([id, r]) => [id, r.Type]));
    const grouped: Record<string, string[]> = {};
    for (const ds of resources('AWS::AppSync::DataSource')) {
      const apiType = typeById[(ds.Properties.ApiId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]]!;
      (grouped[apiType] ??= []).push(`${ds.Properties.Name}:${ds.Properties.Type}`);
    }
    return grouped;
  };

  beforeAll(async () => {
    try {
      const code = await bundleManifestCode(gateway, REPO_ROOT);
      app = new App();
      const config = gatewayConfig();
      stack = new SluiceStack(app, 'Sluice', { manifest: gateway, rootDir: REPO_ROOT, code, bedrockModelIds: config.modelIds, policyGroups: config.groups });
      Aspects.of(app).add(new AwsSolutionsChecks());
      template = Template.fromStack(stack);
    } catch (error) {
      // Reported by each test below, after the manifest-files test says which file is missing.
      synthError = error;
    }
  }, 120_000);

  it('finds every file the manifest names and resolves every reference in it', () => {
    // Prepare & Act
    const problems = manifestProblems(gateway, REPO_ROOT);
    // Assess
    expect(problems).toEqual([]);
  });

  it('lets only Cognito users subscribe to chat, never an IAM principal', () => {
    synthesized();
    const chat = resources('AWS::AppSync::ChannelNamespace').find((ns) => ns.Properties.Name === 'chat')!;
    expect(chat.Properties.SubscribeAuthModes).toEqual([{ AuthType: 'AMAZON_COGNITO_USER_POOLS' }]);
    expect(chat.Properties.PublishAuthModes).toEqual([{ AuthType: 'AWS_IAM' }]);
  });

  it('passes cfn-lint (CloudFormation\'s own rules and resource specifications) with zero errors', async () => {
    synthesized();
    const findings = await cfnLint(template.toJSON());
    expect(describeFindings(findings.filter((f) => f.Level === 'Error'))).toEqual([]);
  }, CFN_LINT_TIMEOUT_MS);

  it('has cfn-lint report an error the template would meet at deploy time (the check above can fail)', async () => {
    // Prepare: the real template with a table setting misplaced, as a hand edit might
    // (it belongs under PointInTimeRecoverySpecification).
    synthesized();
    const broken = structuredClone(template.toJSON()) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const [tableId, table] = Object.entries(broken.Resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')!;
    table.Properties.PointInTimeRecoveryEnabled = true;
    // Act
    const errors = (await cfnLint(broken)).filter((f) => f.Level === 'Error');
    // Assess
    expect(errors.map((f) => f.Location.Path.slice(0, 4).join('/'))).toContain(`Resources/${tableId}/Properties/PointInTimeRecoveryEnabled`);
  }, CFN_LINT_TIMEOUT_MS);
  it('creates no AppSync API key and enables API_KEY auth on neither API', () => {
    synthesized();
    template.resourceCountIs('AWS::AppSync::ApiKey', 0);
    // Every auth type named anywhere on either API: its providers, connection, default and namespace modes.
    const appSync = [...resources('AWS::AppSync::GraphQLApi'), ...resources('AWS::AppSync::Api'), ...resources('AWS::AppSync::ChannelNamespace')];
    const authTypes = new Set(appSync.flatMap((r) => authTypesIn(r.Properties)));
    expect([...authTypes].sort()).toEqual(['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM']);
  });

  it('publishes no API key in the deployed amplify_outputs.json', () => {
    synthesized();
    const outputs = deployedAmplifyOutputs(app, template) as { data: Record<string, unknown>; custom: { events: Record<string, unknown> } };
    expect(outputs.data.url).toBeDefined();
    expect(outputs.custom.events.url).toBeDefined();
    expect(JSON.stringify(outputs)).not.toMatch(/api_?key/i);
  });

  it('synthesizes without unsuppressed cdk-nag AwsSolutions findings', () => {
    synthesized();
    const annotations = Annotations.fromStack(stack);
    const findings = [
      ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('creates exactly the manifest namespaces, with the code handlers the twin runs', async () => {
    synthesized();
    const namespaces = resources('AWS::AppSync::ChannelNamespace');
    expect(namespaces.map((ns) => ns.Properties.Name).sort()).toEqual(gateway.events.namespaces.map((ns) => ns.name).sort());
    for (const ns of gateway.events.namespaces) {
      const resource = namespaces.find((r) => r.Properties.Name === ns.name)!;
      expect(resource.Properties.CodeHandlers).toBe(ns.codeHandlers ? await bundleAppSyncJs(ns.codeHandlers) : undefined);
      const handlerConfigs = (resource.Properties.HandlerConfigs ?? {}) as Record<string, { Behavior: string }>;
      for (const [event, direct] of Object.entries(ns.directHandlers ?? {})) {
        const key = event === 'onPublish' ? 'OnPublish' : 'OnSubscribe';
        expect(handlerConfigs[key]?.Behavior, `${ns.name} ${event}`).toBe(direct ? 'DIRECT' : undefined);
      }
    }
  });

  it('gives a code handler the namespace data source exactly when the twin calls one for it', async () => {
    synthesized();
    const namespaces = resources('AWS::AppSync::ChannelNamespace');
    for (const ns of gateway.events.namespaces.filter((n) => n.codeHandlers)) {
      // The twin's own loader: a `{request, response}` handler calls the data source, a function does not.
      const twinModule = await loadAppSyncJsModule(ns.codeHandlers!, { flavor: AppSyncJsFlavor.EVENTS });
      const handlerConfigs = (namespaces.find((r) => r.Properties.Name === ns.name)!.Properties.HandlerConfigs ?? {}) as Record<
        string,
        { Integration?: { DataSourceName: string } } | undefined
      >;
      for (const handler of ['onPublish', 'onSubscribe'] as const) {
        if (ns.directHandlers?.[handler]) continue;
        const twinCallsDataSource = !twinModule.has(handler) && twinModule.has(`${handler}.request`);
        const integration = handlerConfigs[handler === 'onPublish' ? 'OnPublish' : 'OnSubscribe']?.Integration?.DataSourceName;
        expect(integration, `${ns.name} ${handler}`).toBe(twinCallsDataSource ? ns.handlerDataSource : undefined);
      }
    }
  });

  it('creates exactly the manifest resolvers, each with its bundled code and pipeline', async () => {
    synthesized();
    const resolvers = resources('AWS::AppSync::Resolver');
    expect(resolvers.map((r) => `${r.Properties.TypeName}.${r.Properties.FieldName}`).sort()).toEqual(
      gateway.graphql.resolvers.map((r) => `${r.typeName}.${r.fieldName}`).sort(),
    );
    const functionNamesByLogicalId = Object.fromEntries(
      Object.entries(template.findResources('AWS::AppSync::FunctionConfiguration')).map(([id, r]) => [id, (r as Resource).Properties.Name]),
    );
    for (const spec of gateway.graphql.resolvers) {
      const resource = resolvers.find((r) => r.Properties.TypeName === spec.typeName && r.Properties.FieldName === spec.fieldName)!;
      expect(resource.Properties.Code).toBe(await bundleAppSyncJs(spec.code));
      const steps = (resource.Properties.PipelineConfig as { Functions: { 'Fn::GetAtt': [string, string] }[] }).Functions;
      expect(steps.map((step) => functionNamesByLogicalId[step['Fn::GetAtt'][0]])).toEqual(spec.pipeline);
    }
  });

  it('creates exactly the manifest pipeline functions on their data sources', async () => {
    synthesized();
    const functions = resources('AWS::AppSync::FunctionConfiguration');
    const dataSourceNames = Object.fromEntries(
      Object.entries(template.findResources('AWS::AppSync::DataSource')).map(([id, r]) => [id, (r as Resource).Properties.Name]),
    );
    expect(functions.map((f) => f.Properties.Name).sort()).toEqual(gateway.graphql.functions.map((f) => f.name).sort());
    for (const spec of gateway.graphql.functions) {
      const resource = functions.find((f) => f.Properties.Name === spec.name)!;
      expect(resource.Properties.Code).toBe(await bundleAppSyncJs(spec.code));
      // The name is written literally, or as a reference to the data source resource.
      const ref = resource.Properties.DataSourceName as string | { 'Fn::GetAtt': [string, string] };
      expect(typeof ref === 'string' ? ref : dataSourceNames[ref['Fn::GetAtt'][0]]).toBe(spec.dataSource);
    }
  });

  it('creates on each API exactly the data sources its resolvers and handlers call', async () => {
    synthesized();
    // Prepare: what each API calls, read from the manifest and (for handlers) the twin's loader.
    const typeOf = new Map(gateway.dataSources.map((d) => [d.name, d.type]));
    const graphqlExpected = [...new Set(gateway.graphql.functions.map((f) => f.dataSource))].map((name) => `${name}:${typeOf.get(name)}`);
    const eventsExpected = new Set<string>();
    for (const ns of gateway.events.namespaces) {
      for (const direct of Object.values(ns.directHandlers ?? {})) eventsExpected.add(`${pascal(direct.functionName)}Direct:AWS_LAMBDA`);
      if (!ns.codeHandlers || !ns.handlerDataSource) continue;
      const twinModule = await loadAppSyncJsModule(ns.codeHandlers, { flavor: AppSyncJsFlavor.EVENTS });
      const calls = (['onPublish', 'onSubscribe'] as const).some((h) => !ns.directHandlers?.[h] && !twinModule.has(h) && twinModule.has(`${h}.request`));
      if (calls) eventsExpected.add(`${ns.handlerDataSource}:${typeOf.get(ns.handlerDataSource)}`);
    }
    // Act
    const dataSources = dataSourcesByApiType();
    // Assess
    expect(dataSources['AWS::AppSync::GraphQLApi']?.sort()).toEqual(graphqlExpected.sort());
    expect(dataSources['AWS::AppSync::Api']?.sort()).toEqual([...eventsExpected].sort());
    // The Events-only intake Lambda stays off the GraphQL API.
    expect(dataSources['AWS::AppSync::GraphQLApi']).not.toContain('PromptIntakeLambda:AWS_LAMBDA');
  });

  it('gives the publishing functions the Events HTTP endpoint, /event included, as SLUICE_EVENTS_URL', () => {
    synthesized();
    const [eventsApiId] = Object.keys(template.findResources('AWS::AppSync::Api'));
    const byName = functionsByName();
    // chatStream and promptIntake read it at start-up (requiredEnv); every publisher needs it.
    const publishers = gateway.functions.filter((f) => (f.publishesTo ?? []).length > 0).map((f) => f.name);
    expect(publishers).toEqual(expect.arrayContaining(['chatStream', 'promptIntake']));
    for (const name of publishers) {
      const variables = (byName.get(name)!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.SLUICE_EVENTS_URL, name).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [eventsApiId, 'Dns.Http'] }, '/event']] });
    }
  });

  it('creates exactly the manifest Lambda functions with the table variables the twin sets', () => {
    synthesized();
    const byName = functionsByName();
    expect([...byName.keys()].sort()).toEqual(gateway.functions.map((f) => f.name).sort());
    for (const spec of gateway.functions) {
      const fn = byName.get(spec.name)!;
      expect(fn.Properties).toMatchObject({ Timeout: spec.timeoutSeconds, MemorySize: spec.memoryMb, Runtime: 'nodejs22.x' });
      const variables = Object.keys((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
      expect(variables.filter((v) => v.startsWith('TABLE_')).sort()).toEqual(gateway.tables.map((t) => twinTableVariable(t.name)).sort());
    }
  });

  it('creates exactly the manifest tables with their keys and TTL', () => {
    synthesized();
    template.resourceCountIs('AWS::DynamoDB::Table', gateway.tables.length);
    for (const table of gateway.tables) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
          ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' }] : []),
        ],
        TimeToLiveSpecification: table.ttlAttribute ? { AttributeName: table.ttlAttribute, Enabled: true } : Match.absent(),
      });
    }
  });

  it('creates one schedule per manifest schedule', () => {
    synthesized();
    template.resourceCountIs('AWS::Scheduler::Schedule', (gateway.schedules ?? []).length);
    for (const schedule of gateway.schedules ?? []) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: `rate(${schedule.everyMinutes} minute${schedule.everyMinutes === 1 ? '' : 's'})` });
    }
  });
});
