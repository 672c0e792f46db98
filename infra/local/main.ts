/**
 * `npm start`: the local twin in the foreground. State (certificate, Cognito users,
 * DynamoDB data) lives in .sluice/ and survives restarts; delete it to start afresh.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { ensureDevCertificate } from './certs.js';
import { DEMO_USERS } from './cognito.js';
import { writeAmplifyOutputs } from './outputs.js';
import { forgetServices, recordBackingServices, stopOrphanedServices } from './service-pids.js';
import { REPO_ROOT, statePaths } from './state.js';
import { DEFAULT_PORT, startBackingServices, startTwin } from './twin.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const state = statePaths();

/**
 * INTERIM, until each function runs in its own process with NODE_EXTRA_CA_CERTS in its
 * environment (as Lambda's Node runtime reads it): the functions run in this process and
 * publish to the twin's own HTTPS endpoint, and Node reads NODE_EXTRA_CA_CERTS only when a
 * process starts. So when this process does not trust the twin's CA yet, it makes sure the
 * CA exists and runs itself again as a child that does, passing signals, stdio and the
 * exit code through. The child stops the twin when this process goes away (the IPC channel
 * closes), so killing either leaves nothing running that .sluice/services.json misses.
 */
async function relaunchTrustingTwinCa(): Promise<boolean> {
  const { caPath } = await ensureDevCertificate(state.certs);
  const current = process.env.NODE_EXTRA_CA_CERTS;
  if (current && existsSync(current) && realpathSync(current) === realpathSync(caPath)) return false;
  // Keep a CA the user already trusts this way (a corporate proxy's) beside the twin's.
  let trusted = caPath;
  if (current && existsSync(current)) {
    trusted = join(state.certs, 'node-extra-ca-certs.pem');
    writeFileSync(trusted, `${readFileSync(current, 'utf8').trim()}\n${readFileSync(caPath, 'utf8')}`);
  }
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: trusted },
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  // Ctrl-C reaches the whole process group; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? 128 + (signal ? osConstants.signals[signal] : 1)));
  return true;
}
if (await relaunchTrustingTwinCa()) {
  // The child runs the twin; this process only waits for it.
  await new Promise(() => undefined);
}

const port = Number(process.env.PORT ?? DEFAULT_PORT);

/** A stable API key, so configured clients keep working across restarts. */
function persistentApiKey(): string {
  const path = join(state.root, 'api-key');
  if (!existsSync(path)) writeFileSync(path, `da2-${randomBytes(13).toString('hex')}`);
  return readFileSync(path, 'utf8').trim();
}

const orphans = await stopOrphanedServices(state.root);
if (orphans.length > 0) console.log(`Stopped ${orphans.join(' and ')}, left running by an earlier start that did not exit cleanly.`);
console.log('Sluice local twin: starting cognito-local and DynamoDB Local…');
const services = await startBackingServices({
  certsDir: state.certs,
  cognitoDir: state.cognito,
  dynamoDbPath: state.dynamodb,
  cognitoPort: Number(process.env.COGNITO_PORT ?? 9229),
});
recordBackingServices(state.root, services);
const twin = await startTwin({ services, port, apiKey: persistentApiKey() }).catch(async (error: unknown) => {
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
// Started by a parent process (the interim relaunch above): stop with it, even if it was SIGKILLed.
if (process.channel) process.on('disconnect', () => void shutdown('parent process exited'));
