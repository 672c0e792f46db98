/**
 * `npm start`: the local twin in the foreground. State (certificate, Cognito users,
 * DynamoDB data) lives in .sluice/ and survives restarts; delete it to start afresh.
 */
import { join } from 'node:path';
import { DEMO_USERS } from './cognito.js';
import { writeAmplifyOutputs } from './outputs.js';
import { runtimeMarker } from './lambda/bundles.js';
import { stopOrphanedEnvironments } from './lambda/orphaned-environments.js';
import { forgetServices, recordBackingServices, stopOrphanedServices } from './service-pids.js';
import { REPO_ROOT, statePaths } from './paths.js';
import { DEFAULT_PORT, startBackingServices, startTwin } from './twin.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = Number(process.env.PORT ?? DEFAULT_PORT);
const state = statePaths();

const orphans = await stopOrphanedServices(state.root);
if (orphans.length > 0) console.log(`Stopped ${orphans.join(' and ')}, left running by an earlier start that did not exit cleanly.`);
const frozen = stopOrphanedEnvironments(runtimeMarker());
if (frozen > 0) console.log(`Stopped ${frozen} Lambda execution environment(s) left frozen by an earlier start that did not exit cleanly.`);
console.log('Sluice local twin: starting cognito-local and DynamoDB Local…');
const services = await startBackingServices({
  certsDir: state.certs,
  cognitoDir: state.cognito,
  dynamoDbPath: state.dynamodb,
  cognitoPort: Number(process.env.COGNITO_PORT ?? 9229),
});
recordBackingServices(state.root, services);
const twin = await startTwin({ services, port }).catch(async (error: unknown) => {
  await services.stop();
  forgetServices(state.root);
  throw error;
});
const outputsPath = join(REPO_ROOT, 'amplify_outputs.json');
writeAmplifyOutputs(outputsPath, twin.context);

console.log(
  [
    '',
    `Sluice local twin on ${twin.url}`,
    ...twin.components.flatMap((c) => c.describe?.() ?? []).map((line) => `  ${line}`),
    `  Bedrock Runtime (h2c)    ${twin.context.bedrockEndpoint}  simulator model sluice.simulator`,
    `  DynamoDB Local           ${services.dynamodb.endpoint}  data in ${state.dynamodb}`,
    `  amplify_outputs.json     ${outputsPath}`,
    `  development CA           ${services.certificate.caPath}  (NODE_EXTRA_CA_CERTS for Node clients)`,
    '',
    'Demo users:',
    ...DEMO_USERS.map((u) => `  ${u.email.padEnd(20)} ${u.password}   groups: ${u.groups.join(', ')}`),
    '',
    'Ctrl-C stops everything.',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the twin…`);
  await twin.close();
  await services.stop();
  forgetServices(state.root);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
