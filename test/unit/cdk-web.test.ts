import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, type GatewayManifest } from '../../infra/gateway.js';
import { ASSET_CACHE_CONTROL, ENTRY_CACHE_CONTROL } from '../../infra/cdk/web-edge.js';
import { NO_MANIFEST_CODE } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';
import { amplifyConfig } from '../../web/src/amplify-config.js';
import type { TwinContext } from '../../infra/local/context.js';
import { amplifyOutputs } from '../../infra/local/outputs.js';
import { securityHeaders } from '../../infra/web-security-headers.js';
import { deployedAmplifyOutputs } from '../helpers/deployed-outputs.js';

/** Just enough gateway for the web app: both APIs, no handlers or functions. */
const MANIFEST: GatewayManifest = {
  name: 'web',
  cognitoGroups: ['admins', 'users'],
  events: {
    name: 'web-events',
    authProviders: [AuthMode.COGNITO, AuthMode.IAM],
    defaultPublishAuthModes: [AuthMode.IAM],
    defaultSubscribeAuthModes: [AuthMode.COGNITO],
    namespaces: [{ name: 'chat', publishAuthModes: [], subscribeAuthModes: [] }],
  },
  graphql: { name: 'web-graphql', schema: 'schema.graphql', defaultAuthMode: AuthMode.COGNITO, additionalAuthModes: [AuthMode.IAM], functions: [], resolvers: [] },
  dataSources: [],
  functions: [],
  tables: [],
};

type Json = Record<string, unknown>;
type CfnValue = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

/** Leaf key paths (`auth.user_pool_id`), not descending into arrays. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keyPaths(child, prefix ? `${prefix}.${key}` : key));
}

describe('the hosted web app', () => {
  let rootDir: string;
  let template: Template;
  /** The deployed amplify_outputs.json, each deploy-time value written `{{Ref:Id}}` or `{{GetAtt:Id.Attr}}`. */
  let deployedOutputs: Json;

  beforeAll(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'sluice-cdk-web-'));
    writeFileSync(join(rootDir, 'schema.graphql'), 'type Query { ping: String }\n');
    const app = new App({ outdir: join(rootDir, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SluiceStack(app, 'Web', { manifest: MANIFEST, rootDir, code: NO_MANIFEST_CODE, bedrockModelIds: [] });
    template = Template.fromStack(stack);

    deployedOutputs = deployedAmplifyOutputs(app, template);
  }, 60_000);
  afterAll(() => rmSync(rootDir, { recursive: true, force: true }));

  /** Runs the deployed CloudFront Function on a viewer request for `uri`; answers the URI it forwards. */
  function forwardedUri(uri: string): string {
    const [fn] = Object.values(template.findResources('AWS::CloudFront::Function'));
    const handler = runInNewContext(`${fn!.Properties.FunctionCode as string}\nhandler`) as (event: object) => { uri: string };
    return handler({ version: '1.0', request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } }).uri;
  }

  /** The distribution's behaviours: the default one and `/assets/*`. */
  function behaviours() {
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution!.Properties.DistributionConfig as Json & { DefaultCacheBehavior: Json; CacheBehaviors?: Json[] };
    return { config, entry: config.DefaultCacheBehavior, assets: config.CacheBehaviors?.find((b) => b.PathPattern === '/assets/*') };
  }

  /** The response headers policy a behaviour uses. */
  function headersPolicyOf(behaviour: Json | undefined) {
    const id = (behaviour?.ResponseHeadersPolicyId as { Ref: string }).Ref;
    return template.toJSON().Resources[id].Properties.ResponseHeadersPolicyConfig as {
      CustomHeadersConfig: { Items: { Header: string; Value: string }[] };
      SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown }; StrictTransportSecurity: unknown; ContentTypeOptions: unknown };
    };
  }

  it('deploys amplify_outputs.json in the shape the twin writes, minus custom.local', () => {
    // Prepare: the twin's file for the same manifest (values do not matter, only the shape).
    const twinContext = {
      manifest: MANIFEST,
      url: 'https://localhost:4443',
      region: 'us-east-1',
      iam: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      cognito: { userPoolId: 'local_pool', userPoolClientId: 'client' },
      dynamodb: { endpoint: 'http://127.0.0.1:8000', tablePrefix: 'sluice-' },
      bedrockEndpoint: 'http://127.0.0.1:9000',
      caPath: 'ca.pem',
    } as unknown as TwinContext;
    const twinPaths = keyPaths(amplifyOutputs(twinContext)).filter((path) => !path.startsWith('custom.local.'));
    // Act
    const cloudPaths = keyPaths(deployedOutputs);
    // Assess
    expect(cloudPaths).toEqual(expect.arrayContaining(twinPaths));
    expect(Object.keys(deployedOutputs.custom as Json)).toEqual(['events']);
  });

  it('points amplify_outputs.json at the stack’s own user pool, GraphQL API and Events API', () => {
    const { auth, data, custom } = deployedOutputs as { auth: Json; data: Json; custom: { events: Json } };
    expect(auth.user_pool_id).toMatch(/^\{\{Ref:AuthUserPool\w+\}\}$/);
    expect(auth.user_pool_client_id).toMatch(/^\{\{Ref:AuthUserPoolWebClient\w+\}\}$/);
    expect(data.url).toMatch(/^\{\{GetAtt:GraphqlApi\w+\.GraphQLUrl\}\}$/);
    expect(custom.events).toMatchObject({
      url: expect.stringMatching(/^https:\/\/\{\{GetAtt:EventsApi\w+\.Dns\.Http\}\}\/event$/),
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
    });
  });

  it('lets the web app read the Events endpoint from the deployed custom.events', () => {
    // Act: the very function web/src/config.ts configures Amplify with.
    const config = amplifyConfig(deployedOutputs);
    // Assess
    expect(config.API?.Events).toMatchObject({ endpoint: (deployedOutputs.custom as { events: Json }).events.url, defaultAuthMode: 'userPool' });
    expect(config.API?.GraphQL?.endpoint).toBe((deployedOutputs.data as Json).url);
  });

  it.each([['/'], ['/c/01JBZ4S8Q3M6K0V2X7YH5T9RWD'], ['/admin'], ['/admin/users/6f1c2d3e-aaaa-bbbb-cccc-1234567890ab'], ['/no/such/page']])(
    'serves index.html for the client-side route %s',
    (path) => {
      expect(forwardedUri(path)).toBe('/index.html');
    },
  );

  it.each([['/amplify_outputs.json'], ['/favicon.svg'], ['/index.html'], ['/missing.js']])('fetches the file %s as is, so a missing one stays a 404', (path) => {
    expect(forwardedUri(path)).toBe(path);
  });

  it('routes with the viewer-request function on the default behaviour only, never by turning errors into index.html', () => {
    const { config, entry, assets } = behaviours();
    expect(config.CustomErrorResponses).toBeUndefined();
    const [functionId] = Object.keys(template.findResources('AWS::CloudFront::Function'));
    expect(entry.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
    expect(assets).toBeDefined();
    expect(assets!.FunctionAssociations).toBeUndefined();
  });

  it('lets CloudFront list the bucket, so S3 answers a missing file with 404 rather than 403', () => {
    const statements = Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Principal?: { Service?: string }; Action: string | string[] }[],
    );
    const cloudFront = statements.filter((s) => s.Principal?.Service === 'cloudfront.amazonaws.com').flatMap((s) => [s.Action].flat());
    expect(cloudFront.sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  it('never caches index.html or amplify_outputs.json, and caches the hashed assets for a year', () => {
    const { entry, assets } = behaviours();
    const cacheControl = (behaviour: Json | undefined) => headersPolicyOf(behaviour).CustomHeadersConfig.Items.find((h) => h.Header === 'Cache-Control')?.Value;
    expect(cacheControl(entry)).toBe(ENTRY_CACHE_CONTROL);
    expect(ENTRY_CACHE_CONTROL).toBe('no-cache');
    expect(cacheControl(assets)).toBe(ASSET_CACHE_CONTROL);
    expect(ASSET_CACHE_CONTROL).toMatch(/max-age=31536000.*immutable/);
    // Managed policies: CachingDisabled for the entry files, CachingOptimized for the assets.
    expect(entry.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(assets!.CachePolicyId).toBe('658327ea-f89d-4fab-a63d-7e88639e58f6');
  });

  it('sends security headers with a CSP that connects only to the stack’s AppSync endpoints and Cognito', () => {
    const { entry, assets } = behaviours();
    for (const behaviour of [entry, assets]) {
      const security = headersPolicyOf(behaviour).SecurityHeadersConfig;
      expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
      expect(security.ContentTypeOptions).toEqual({ Override: true });
      // The CSP joins literal text and endpoint attributes; render the attributes readably.
      const [, parts] = (security.ContentSecurityPolicy.ContentSecurityPolicy as { 'Fn::Join': [string, (string | CfnValue)[]] })['Fn::Join'];
      const csp = parts.map((p) => (typeof p === 'string' ? p : p.Ref ? `{{${p.Ref}}}` : `{{${p['Fn::GetAtt']!.join('.')}}}`)).join('');
      const connectSrc = csp.split('; ').find((d) => d.startsWith('connect-src '))!.split(' ').slice(1);
      expect(connectSrc).toEqual([
        "'self'",
        expect.stringMatching(/^https:\/\/\{\{GraphqlApi\w+\.GraphQLDns\}\}$/),
        expect.stringMatching(/^wss:\/\/\{\{GraphqlApi\w+\.RealtimeDns\}\}$/),
        expect.stringMatching(/^https:\/\/\{\{EventsApi\w+\.Dns\.Http\}\}$/),
        expect.stringMatching(/^wss:\/\/\{\{EventsApi\w+\.Dns\.Realtime\}\}$/),
        expect.stringMatching(/^https:\/\/cognito-idp\.(us-east-1|\{\{AWS::Region\}\})\.\{\{AWS::URLSuffix\}\}$/),
      ]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('sends the same security headers as the twin’s web server', () => {
    // Prepare
    const twin = securityHeaders('');
    const security = headersPolicyOf(behaviours().entry).SecurityHeadersConfig as unknown as Record<string, Record<string, unknown>>;

    // Assess
    expect(`max-age=${String(security.StrictTransportSecurity!.AccessControlMaxAgeSec)}; includeSubDomains`).toBe(twin['strict-transport-security']);
    expect(security.FrameOptions!.FrameOption).toBe(twin['x-frame-options']);
    expect(security.ReferrerPolicy!.ReferrerPolicy).toBe(twin['referrer-policy']);
    expect(security.XSSProtection!.Protection ? '1' : '0').toBe(twin['x-xss-protection']);
    expect(twin['x-content-type-options']).toBe('nosniff');
  });
});
