/**
 * `npx tsx bench/lambda-invoke.ts`: what one warm invocation through the twin's execution
 * environments costs in wall-clock time (the IPC round trip, the thaw, the handler, the
 * freeze), with a handler that does nothing, one call at a time. Prints p50 / p99 / mean in
 * microseconds after a warm-up; docs/benchmarks.md records the figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalLambdaInvoker } from '../infra/local/lambda.js';

const WARM_UP_CALLS = 200;
const MEASURED_CALLS = 2_000;

const scratch = mkdtempSync(join(tmpdir(), 'sluice-invoke-'));
const entry = join(scratch, 'echo.ts');
writeFileSync(entry, 'export const handler = async (event: unknown) => event;\n');
const invoker = new LocalLambdaInvoker({
  functions: [{ name: 'echo', entry, timeoutSeconds: 10, memoryMb: 128, tables: [] }],
  settings: {
    region: 'us-east-1',
    accessKeyId: 'AKIABENCHINVOKE00001',
    secretAccessKey: 'bench',
    tableVariables: {},
    eventsUrl: 'https://localhost:1/event',
    graphqlUrl: 'https://localhost:1/graphql',
    metricsUrl: 'https://localhost:1/_local/metrics',
    dynamodbEndpoint: 'http://127.0.0.1:1',
    bedrockEndpoint: 'http://127.0.0.1:1',
    cognitoEndpoint: 'http://127.0.0.1:1',
    userPoolId: 'us-east-1_bench',
    caPath: join(scratch, 'ca.pem'),
    metricsNamespace: 'Sluice',
  },
  accountId: '000000000000',
});

const event = { arguments: { prompt: 'x'.repeat(500) }, identity: { sub: 'bench', groups: ['users'] } };
try {
  for (let i = 0; i < WARM_UP_CALLS; i++) await invoker.invoke('echo', event);
  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < MEASURED_CALLS; i++) {
    const started = performance.now();
    await invoker.invoke('echo', event);
    times.push((performance.now() - started) * 1000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(0);
  const mean = (times.reduce((sum, t) => sum + t, 0) / times.length).toFixed(0);
  console.log(`warm invoke, ${MEASURED_CALLS} calls one at a time: p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, mean ${mean} µs; twin CPU per call ${((cpu.user + cpu.system) / MEASURED_CALLS).toFixed(0)} µs`);
} finally {
  await invoker.close();
  rmSync(scratch, { recursive: true, force: true });
}
