import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleAppSyncJs } from '../../infra/appsync-bundle.js';
import { gateway } from '../../infra/gateway.js';
import { REPO_ROOT, gatewayConfig } from '../../infra/cdk/gateway-config.js';
import { manifestProblems } from '../../infra/cdk/manifest-checks.js';
import { bundleManifestCode } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';

type Resource = { Properties: Record<string, unknown> };

/** The environment variable the twin gives each function per table (infra/local/twin.ts). */
const twinTableVariable = (name: string) => `TABLE_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

/**
 * The cloud and the twin both read infra/gateway.ts; this suite synthesizes the real stack
 * from the real manifest (functions bundled by the local esbuild, as `cdk synth` does) and
 * checks that the template wires exactly what the twin wires from the same manifest.
 */
describe('cloud and twin parity (real manifest)', () => {
  let template: Template;
  let stack: SluiceStack;
  let synthError: unknown;
  const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
  const synthesized = () => {
    if (synthError) throw synthError;
    return template;
  };

  beforeAll(async () => {
    try {
      const code = await bundleManifestCode(gateway, REPO_ROOT);
      const app = new App();
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

  it('creates the manifest data sources with their types on the GraphQL API', () => {
    synthesized();
    const graphqlDataSources = Object.entries(template.findResources('AWS::AppSync::DataSource'))
      .filter(([id]) => id.startsWith('Graphql'))
      .map(([, r]) => `${(r as Resource).Properties.Name}:${(r as Resource).Properties.Type}`);
    expect(graphqlDataSources.sort()).toEqual(gateway.dataSources.map((d) => `${d.name}:${d.type}`).sort());
  });

  it('creates exactly the manifest Lambda functions with the table variables the twin sets', () => {
    synthesized();
    const functions = resources('AWS::Lambda::Function').filter(
      (f) => (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME,
    );
    const byName = new Map(functions.map((f) => [(f.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_SERVICE_NAME, f]));
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
