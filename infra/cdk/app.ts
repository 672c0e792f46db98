/**
 * The CDK app (`npx cdk synth`, `npm run deploy`): bundles the manifest's APPSYNC_JS code,
 * then builds {@link SluiceStack} with cdk-nag's AwsSolutions checks as an Aspect.
 *
 * It needs no AWS credentials to synthesize: account and region stay unresolved unless
 * CDK_DEFAULT_ACCOUNT/REGION are set (as `cdk deploy` does), and nothing is looked up.
 *
 * Context: `sluice:threatProtection` (ENFORCED | OFF), `sluice:alarmEmail`,
 * `sluice:bedrockModels` (comma-separated ids, overriding the model config).
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { gateway } from '../gateway.js';
import { REPO_ROOT, gatewayConfig } from './gateway-config.js';
import { bundleManifestCode } from './manifest-code.js';
import { SluiceStack } from './sluice-stack.js';
import { THREAT_PROTECTION, type ThreatProtection } from './auth.js';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const threatProtection = (context('sluice:threatProtection') ?? THREAT_PROTECTION.ENFORCED) as ThreatProtection;
if (!Object.values(THREAT_PROTECTION).includes(threatProtection)) {
  throw new RangeError(`sluice:threatProtection must be one of ${Object.values(THREAT_PROTECTION).join(', ')}`);
}
const config = gatewayConfig();
const code = await bundleManifestCode(gateway, REPO_ROOT);

new SluiceStack(app, 'Sluice', {
  manifest: gateway,
  rootDir: REPO_ROOT,
  code,
  bedrockModelIds: context('sluice:bedrockModels')?.split(',').map((id) => id.trim()) ?? config.modelIds,
  policyGroups: config.groups,
  threatProtection,
  alarmEmail: context('sluice:alarmEmail'),
  // Unset (unresolved) without credentials, so synth works on a fresh clone.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Sluice: a serverless AI gateway (AppSync Events + GraphQL, Bedrock, Cognito, DynamoDB)',
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
