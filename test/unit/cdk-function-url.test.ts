/**
 * Issue 16 in the cloud: the OpenAI-compatible API's function is served by a Lambda function
 * URL in RESPONSE_STREAM mode behind the site's CloudFront distribution at `/v1/*`, with the
 * origin secret header CloudFront adds and the function checks, and cdk-nag stays clean.
 * Synthesized from the manifest the product ships.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../../infra/gateway.js';
import { REPO_ROOT } from '../../infra/cdk/gateway-config.js';
import { bundleManifestCode } from '../../infra/cdk/manifest-code.js';
import { SluiceStack } from '../../infra/cdk/sluice-stack.js';
import { ORIGIN_SECRET_HEADER } from '../../infra/cdk/web-hosting.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('the OpenAI-compatible API in the cloud stack', () => {
  let stack: SluiceStack;
  let template: Template;
  let functionLogicalId: string;

  beforeAll(async () => {
    const code = await bundleManifestCode(gateway, REPO_ROOT);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new SluiceStack(app, 'Sluice', { manifest: gateway, rootDir: REPO_ROOT, code, bedrockModelIds: ['global.anthropic.claude-haiku-4-5-20251001-v1:0'] });
    Aspects.of(app).add(new AwsSolutionsChecks());
    template = Template.fromStack(stack);
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'openaiApi' } } } });
    functionLogicalId = Object.keys(functions)[0]!;
  }, 180_000);

  it('reports no unsuppressed cdk-nag AwsSolutions findings', () => {
    const findings = [
      ...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('gives the function a RESPONSE_STREAM function URL, and no other function one', () => {
    expect(functionLogicalId).toBeDefined();
    const urls = Object.values(template.findResources('AWS::Lambda::Url')) as Resource[];
    expect(urls).toHaveLength(1);
    expect(urls[0]!.Properties).toMatchObject({ InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] } });
  });

  it('routes /v1/* of the distribution to the function URL, uncached, all methods, with the origin secret the function checks', () => {
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution')) as Resource[];
    const config = distribution!.Properties.DistributionConfig as { CacheBehaviors: Record<string, unknown>[]; Origins: Record<string, unknown>[] };
    const behavior = config.CacheBehaviors.find((b) => b.PathPattern === '/v1/*')!;
    expect(behavior).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const origin = config.Origins.find((o) => o.Id === behavior.TargetOriginId)!;
    const secretHeader = (origin.OriginCustomHeaders as { HeaderName: string; HeaderValue: unknown }[]).find((h) => h.HeaderName === ORIGIN_SECRET_HEADER);
    expect(JSON.stringify(origin.DomainName)).toContain('FunctionUrl');
    const fn = template.toJSON().Resources[functionLogicalId] as Resource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(secretHeader?.HeaderValue).toEqual(variables.SLUICE_ORIGIN_SECRET);
    expect(variables.USER_POOL_ID).toBeDefined();
  });

  it('lets only the API function read users\' groups from the pool', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')) as [string, Resource][];
    const readers = policies.filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('cognito-idp:AdminListGroupsForUser'));
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]![1].Properties.Roles)).toContain('OpenaiApi');
  });
});
