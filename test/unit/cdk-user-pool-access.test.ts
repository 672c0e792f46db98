import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventApi, AppSyncAuthorizationType } from 'aws-cdk-lib/aws-appsync';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../../infra/gateway.js';
import { SluiceFunctions, type SluiceFunctionsProps } from '../../infra/cdk/functions.js';
import { REPO_ROOT } from '../../infra/cdk/gateway-config.js';
import { SluiceTables } from '../../infra/cdk/tables.js';

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

/** The manifest's functions in a bare stack, unbundled: what `readsUserPool` wires. */
function synth(withUserPool: boolean): { template: Template } | { error: unknown } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Pool');
  const userPool = new UserPool(stack, 'UserPool');
  const props: SluiceFunctionsProps = {
    functions: gateway.functions,
    rootDir: REPO_ROOT,
    tables: new SluiceTables(stack, 'Tables', { tables: gateway.tables }),
    eventApi: new EventApi(stack, 'Events', { apiName: 'pool', authorizationConfig: { authProviders: [{ authorizationType: AppSyncAuthorizationType.IAM }] } }),
    graphqlUrl: 'https://example.invalid/graphql',
    bedrockModelIds: ['anthropic.claude-3-5-haiku-20241022-v1:0'],
    ...(withUserPool ? { userPool } : {}),
  };
  try {
    new SluiceFunctions(stack, 'Functions', props);
  } catch (error) {
    return { error };
  }
  return { template: Template.fromStack(stack) };
}

describe('functions that read the user pool (readsUserPool, readsUserGroups)', () => {
  let template: Template;
  const readers = gateway.functions.filter((f) => f.readsUserPool).map((f) => f.name);

  beforeAll(() => {
    const synthesized = synth(true);
    if ('error' in synthesized) throw synthesized.error;
    template = synthesized.template;
  });

  const functionsByName = () =>
    new Map(
      Object.entries(template.findResources('AWS::Lambda::Function'))
        .map(([id, r]) => [id, r as Resource] as const)
        .filter(([, r]) => (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME)
        .map(([id, r]) => [(r.Properties.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_SERVICE_NAME, { id, resource: r }]),
    );

  it('is the gateway API function only, in the manifest', () => {
    expect(readers).toEqual(['gatewayApi']);
  });

  it('gives those functions, and no other, the pool id as USER_POOL_ID', () => {
    // Prepare
    const byName = functionsByName();
    const [poolId] = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    // Assess
    for (const spec of gateway.functions) {
      const variables = (byName.get(spec.name)!.resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      if (spec.readsUserPool || spec.readsUserGroups) expect(variables.USER_POOL_ID, spec.name).toEqual({ Ref: poolId });
      else expect(variables, spec.name).not.toHaveProperty('USER_POOL_ID');
    }
  });

  it("grants cognito-idp:ListUsers to the user pool readers and AdminListGroupsForUser to the group readers, on that pool only", () => {
    // Prepare
    const [poolId] = Object.keys(template.findResources('AWS::Cognito::UserPool'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    // Act
    const grants = policies.flatMap((policy) =>
      ((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('cognito-idp:')))
        .map((statement) => ({ statement, roles: policy.Properties.Roles })),
    );
    // Assess
    const byAction = new Map(grants.map((g) => [[g.statement.Action].flat().join(','), g]));
    expect([...byAction.keys()].sort()).toEqual(['cognito-idp:AdminListGroupsForUser', 'cognito-idp:ListUsers']);
    for (const grant of grants) expect(grant.statement.Resource).toEqual({ 'Fn::GetAtt': [poolId, 'Arn'] });
    expect(byAction.get('cognito-idp:ListUsers')!.roles).toEqual([{ Ref: expect.stringMatching(/^FunctionsGatewayApiServiceRole/) }]);
    expect(byAction.get('cognito-idp:AdminListGroupsForUser')!.roles).toEqual([{ Ref: expect.stringMatching(/^FunctionsOpenaiApiServiceRole/) }]);
  });

  it('refuses a manifest with a pool reader when no user pool is given', () => {
    // Act
    const synthesized = synth(false);
    // Assess
    expect('error' in synthesized && String(synthesized.error)).toMatch(/gatewayApi, openaiApi read the user pool \(readsUserPool\), but SluiceFunctions was given no userPool/);
  });
});
