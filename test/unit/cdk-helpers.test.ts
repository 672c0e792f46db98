import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, type GatewayManifest } from '../../infra/gateway.js';
import { bedrockModelArns, foundationModelId, unavailableModelIds } from '../../infra/cdk/bedrock-arns.js';
import { ManifestError, assertValidManifest, manifestProblems } from '../../infra/cdk/manifest-checks.js';
import { HandlerForm, NO_MANIFEST_CODE, bundleManifestCode, handlerForm } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';
import { namespaceHandlers } from '../../infra/local/events/handlers.js';

/** The smallest manifest the stack accepts: one namespace without handlers, no resolvers. */
const minimalManifest = (): GatewayManifest => ({
  name: 'minimal',
  cognitoGroups: ['admins', 'users'],
  events: {
    name: 'minimal-events',
    authProviders: [AuthMode.COGNITO, AuthMode.IAM],
    defaultPublishAuthModes: [AuthMode.IAM],
    defaultSubscribeAuthModes: [AuthMode.COGNITO],
    namespaces: [{ name: 'chat', publishAuthModes: [], subscribeAuthModes: [] }],
  },
  graphql: { name: 'minimal-graphql', schema: 'schema.graphql', defaultAuthMode: AuthMode.COGNITO, additionalAuthModes: [], functions: [], resolvers: [] },
  dataSources: [],
  functions: [],
  tables: [],
});

describe('manifest checks', () => {
  it('lists every broken reference and missing file in one error', () => {
    // Prepare
    const manifest = minimalManifest();
    manifest.dataSources.push({ name: 'Ledger', type: 'AMAZON_DYNAMODB', table: 'NoSuchTable' });
    manifest.graphql.resolvers.push({ typeName: 'Query', fieldName: 'x', code: 'missing.ts', pipeline: ['noSuchFunction'] });
    manifest.functions.push({ name: 'f', entry: 'missing-handler.ts', timeoutSeconds: 1, memoryMb: 128, tables: [], publishesTo: ['nowhere'] });
    manifest.schedules = [{ name: 'sweep', functionName: 'ghost', everyMinutes: 0 }];
    // Act
    const problems = manifestProblems(manifest, tmpdir());
    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        'GraphQL schema: file schema.graphql does not exist',
        'resolver Query.x: file missing.ts does not exist',
        'Lambda function f: file missing-handler.ts does not exist',
        'data source Ledger: unknown table NoSuchTable',
        'resolver Query.x: unknown pipeline function noSuchFunction',
        'function f: unknown namespace nowhere',
        'schedule sweep: unknown function ghost',
        'schedule sweep: everyMinutes must be a whole number ≥ 1',
      ]),
    );
    expect(() => assertValidManifest(manifest, tmpdir())).toThrow(ManifestError);
  });

  it('refuses a handler data source that Events APIs do not have', () => {
    const manifest = minimalManifest();
    manifest.dataSources.push({ name: 'NoneDS', type: 'NONE' });
    manifest.events.namespaces[0]!.handlerDataSource = 'NoneDS';
    expect(manifestProblems(manifest, tmpdir())).toEqual(
      expect.arrayContaining(['namespace chat: Events APIs have no NONE data source (NoneDS)', 'namespace chat: handlerDataSource needs codeHandlers']),
    );
  });

  it('refuses code handlers beside direct Lambda handlers for both operations, as the CDK ChannelNamespace does, on both hosts', () => {
    const manifest = minimalManifest();
    const both = { onPublish: { functionName: 'f', invokeType: 'REQUEST_RESPONSE' as const }, onSubscribe: { functionName: 'f', invokeType: 'REQUEST_RESPONSE' as const } };
    Object.assign(manifest.events.namespaces[0]!, { codeHandlers: 'handlers.ts', directHandlers: both });
    expect(manifestProblems(manifest, tmpdir())).toContain(
      'namespace chat: codeHandlers would never run, both onPublish and onSubscribe are direct Lambda handlers (the CDK\'s ChannelNamespace refuses this)',
    );
    expect(() => namespaceHandlers(manifest.events.namespaces[0]!, { lambda: {} as Parameters<typeof namespaceHandlers>[1]['lambda'], dataSources: [], log: () => undefined })).toThrow(
      /codeHandlers cannot be set when both onPublish and onSubscribe are direct Lambda handlers/,
    );
  });
});

describe('Bedrock model ARNs', () => {
  const scope = { region: 'us-east-1', account: '123456789012', partition: 'aws' };

  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['us.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['amazon.nova-lite-v1:0', 'amazon.nova-lite-v1:0'],
  ])('strips the inference profile prefix of %s', (modelId, expected) => {
    expect(foundationModelId(modelId)).toBe(expected);
  });

  it('grants exactly what each catalogue model needs from the Region: on demand, a geographic profile, or global', () => {
    const arns = bedrockModelArns(
      ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'global.anthropic.claude-haiku-4-5-20251001-v1:0'],
      scope,
    );
    expect(arns).toEqual([
      // On demand in us-east-1: the foundation model there, nothing else.
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      // Profile only: the us. profile the gateway calls, and the model where it routes.
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      'arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      // Global: the profile, the Region's model, and the Region-less ARN of global routing.
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
    ]);
  });

  it('grants nothing for a catalogue model Bedrock does not offer in the Region (Mistral Large outside us-west-2)', () => {
    expect(bedrockModelArns(['mistral.mistral-large-2407-v1:0'], scope)).toEqual([]);
    expect(unavailableModelIds(['mistral.mistral-large-2407-v1:0', 'amazon.nova-lite-v1:0'], 'us-east-1')).toEqual(['mistral.mistral-large-2407-v1:0']);
    expect(bedrockModelArns(['mistral.mistral-large-2407-v1:0'], { ...scope, region: 'us-west-2' })).toEqual([
      'arn:aws:bedrock:us-west-2::foundation-model/mistral.mistral-large-2407-v1:0',
    ]);
  });
});

describe('channel handler forms', () => {
  let rootDir: string;

  /** A stack whose one namespace runs `handlers` (the text of an APPSYNC_JS file). */
  async function namespaceStack(id: string, handlers: string, handlerDataSource?: string): Promise<SluiceStack> {
    writeFileSync(join(rootDir, `${id}.ts`), handlers);
    const manifest = minimalManifest();
    manifest.tables.push({ name: 'Ledger', partitionKey: { name: 'pk', type: 'S' } });
    manifest.dataSources.push({ name: 'LedgerTable', type: 'AMAZON_DYNAMODB', table: 'Ledger' });
    Object.assign(manifest.events.namespaces[0]!, { codeHandlers: `${id}.ts`, handlerDataSource });
    const code = await bundleManifestCode(manifest, rootDir);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    return new SluiceStack(app, id, { manifest, rootDir, code, bedrockModelIds: [] });
  }

  beforeAll(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'sluice-cdk-forms-'));
    writeFileSync(join(rootDir, 'schema.graphql'), 'type Query { ping: String }\n');
  });
  afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

  it('lists each handler file\'s callables as the APPSYNC_JS runtime loads them', async () => {
    // Prepare
    const manifest = minimalManifest();
    writeFileSync(join(rootDir, 'mixed.ts'), 'export const onPublish = { request() { return {}; }, response(ctx: any) { return ctx.events; } };\nexport function onSubscribe() {}\n');
    manifest.events.namespaces[0]!.codeHandlers = 'mixed.ts';
    // Act
    const code = await bundleManifestCode(manifest, rootDir);
    // Assess
    expect([...code.handlerCallables.get('mixed.ts')!].sort()).toEqual(['onPublish.request', 'onPublish.response', 'onSubscribe']);
    expect(['onPublish', 'onSubscribe', 'onUnknown'].map((h) => handlerForm(code.handlerCallables.get('mixed.ts')!, h))).toEqual([
      HandlerForm.REQUEST_RESPONSE,
      HandlerForm.FUNCTION,
      HandlerForm.ABSENT,
    ]);
  });

  it('refuses at synth, with AppSync\'s CODE_ERROR, a bundle AppSync would refuse to create (throw in a channel handler)', async () => {
    // Prepare
    const manifest = minimalManifest();
    writeFileSync(join(rootDir, 'throwing.ts'), "export function onPublish(ctx: any) { if (!ctx.events) throw new Error('none'); return ctx.events; }\n");
    manifest.events.namespaces[0]!.codeHandlers = 'throwing.ts';
    // Act
    const bundled = bundleManifestCode(manifest, rootDir);
    // Assess
    await expect(bundled).rejects.toMatchObject({
      name: 'BadRequestException',
      reason: 'CODE_ERROR',
      detail: { codeErrors: [{ errorType: 'LINT_ERROR', value: 'Throw statements are not supported.' }] },
    });
    await expect(bundled).rejects.toThrow(/throwing\.ts:\d+:\d+: Throw statements are not supported\./);
  });

  it('gives the data source only to a {request, response} handler, never to a plain function', async () => {
    // Act
    const stack = await namespaceStack('Mixed', "export const onSubscribe = { request() { return { operation: 'GetItem', key: {} }; }, response(ctx: any) { return ctx.result; } };\nexport function onPublish(ctx: any) { return ctx.events; }\n", 'LedgerTable');
    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::AppSync::ChannelNamespace', {
      HandlerConfigs: { OnSubscribe: { Behavior: 'CODE', Integration: { DataSourceName: 'LedgerTable' } }, OnPublish: Match.absent() },
    });
  });

  it('refuses a {request, response} handler without a data source', async () => {
    await expect(namespaceStack('NoSource', 'export const onPublish = { request() { return {}; }, response(ctx: any) { return ctx.events; } };\n')).rejects.toThrow(
      /Namespace chat: onPublish in NoSource\.ts is \{request, response\}, which needs a data source/,
    );
  });

  it('refuses a handler data source that no handler calls', async () => {
    await expect(namespaceStack('Unused', 'export function onPublish(ctx: any) { return ctx.events; }\n', 'LedgerTable')).rejects.toThrow(
      /Namespace chat: handlerDataSource LedgerTable is called by no handler/,
    );
  });
});

describe('a stack with threat protection turned off', () => {
  let rootDir: string;
  let stack: SluiceStack;

  beforeAll(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'sluice-cdk-min-'));
    mkdirSync(rootDir, { recursive: true });
    writeFileSync(join(rootDir, 'schema.graphql'), 'type Query { ping: String }\n');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new SluiceStack(app, 'Minimal', { manifest: minimalManifest(), rootDir, code: NO_MANIFEST_CODE, bedrockModelIds: [], threatProtection: 'OFF' });
    Aspects.of(app).add(new AwsSolutionsChecks());
  }, 60_000);
  afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

  it('stays on the Essentials plan and justifies the Plus-plan finding instead of failing', () => {
    // Act
    const template = Template.fromStack(stack);
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS', UserPoolAddOns: Match.absent() });
    expect(errors).toEqual([]);
  });

  it.each([
    ['the Events API', (m: GatewayManifest) => m.events.authProviders.push(AuthMode.API_KEY)],
    ['the GraphQL API', (m: GatewayManifest) => m.graphql.additionalAuthModes.push(AuthMode.API_KEY)],
  ])('refuses API_KEY auth on %s rather than publish a key that expires unrotated', (_api, enableApiKey) => {
    const manifest = minimalManifest();
    enableApiKey(manifest);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new SluiceStack(app, 'ApiKey', { manifest, rootDir, code: NO_MANIFEST_CODE, bedrockModelIds: [] })).toThrow(
      /Auth mode API_KEY is not supported by the Sluice stack \(an API key would be published in amplify_outputs.json/,
    );
  });

  it('refuses a function that invokes Bedrock when no model is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cdk-nomodel-'));
    writeFileSync(join(dir, 'schema.graphql'), 'type Query { ping: String }\n');
    writeFileSync(join(dir, 'handler.ts'), 'export const handler = async () => 1;\n');
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    const manifest = minimalManifest();
    manifest.functions.push({ name: 'stream', entry: 'handler.ts', timeoutSeconds: 60, memoryMb: 256, tables: [], invokesBedrock: true });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    try {
      expect(() => new SluiceStack(app, 'NoModels', { manifest, rootDir: dir, code: NO_MANIFEST_CODE, bedrockModelIds: [] })).toThrow(
        'Function stream invokes Bedrock, but no models are configured',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
