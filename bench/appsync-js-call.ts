/**
 * `npx tsx bench/appsync-js-call.ts`: what one call of an APPSYNC_JS handler costs on the
 * twin's runtime, for the handlers every chat turn runs (the `chat` namespace's onSubscribe
 * and the startChat pipeline's validation step). Prints wall-clock microseconds per call (p50,
 * mean) and the process's CPU time per call (all threads, so a watchdog thread counts), after
 * a warm-up; docs/benchmarks.md records the figures.
 */
import { loadAppSyncJsModule, type AppSyncJsModule } from '../infra/appsync-js/index.js';

const WARM_UP_CALLS = 2_000;
const MEASURED_CALLS = 20_000;

interface Case {
  name: string;
  module: AppSyncJsModule;
  fn: string;
  ctx: () => object;
}

const SUB = '0b5c8a4e-1111-4222-8333-944455556666';
const identity = { sub: SUB, username: 'bench', groups: ['users'], claims: { sub: SUB, 'cognito:groups': ['users'] } };

async function cases(): Promise<Case[]> {
  const chat = await loadAppSyncJsModule('resolvers/events/chat.ts', { flavor: 'events' });
  const validate = await loadAppSyncJsModule('resolvers/graphql/functions/validateChatInput.ts');
  return [
    {
      name: 'chat onSubscribe',
      module: chat,
      fn: 'onSubscribe',
      ctx: () => ({ identity, info: { channel: { path: `/chat/${SUB}/c1`, segments: ['chat', SUB, 'c1'] }, operation: 'SUBSCRIBE' } }),
    },
    {
      name: 'validateChatInput request',
      module: validate,
      fn: 'request',
      ctx: () => ({ arguments: { input: { prompt: 'Hello there', modelId: 'sluice.simulator', maxTokens: 200 } }, identity, stash: {} }),
    },
  ];
}

function measure(c: Case): { p50: number; mean: number; cpu: number } {
  for (let i = 0; i < WARM_UP_CALLS; i += 1) c.module.call(c.fn, c.ctx());
  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < MEASURED_CALLS; i += 1) {
    const ctx = c.ctx();
    const start = process.hrtime.bigint();
    c.module.call(c.fn, ctx);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(times.length / 2)]!,
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    cpu: (cpu.user + cpu.system) / MEASURED_CALLS,
  };
}

for (const c of await cases()) {
  const { p50, mean, cpu } = measure(c);
  const figure = (n: number) => `${n.toFixed(1).padStart(7)} µs`;
  console.log(`${c.name.padEnd(26)} p50 ${figure(p50)}   mean ${figure(mean)}   CPU ${figure(cpu)} per call (${MEASURED_CALLS} calls)`);
}
