/**
 * The bench's phases, in an order that keeps the memory figures honest: warm up, measure
 * the idle twin, run the concurrent baseline (light) before the concurrent gateway phase
 * (heavy), then the one-stream phases.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { directClient } from './direct-client.js';
import { runFanOut } from './fan-out.js';
import { runIdleConnections } from './idle-connections.js';
import { installDynamoDbCallRecorder } from './dynamodb-calls.js';
import { startBenchEnvironment } from './environment.js';
import type { BenchOptions } from './options.js';
import { BenchPath, runPhase, type PhaseResult, type PhaseSetup } from './phase.js';
import { installPublishCounter } from './publish-counter.js';
import { recordRun, renderRuns, RESULTS_PATH } from './record.js';
import { benchRun, scenario, type BenchRun } from './results.js';
import { settleMemory, startRssSampler } from './rss-sampler.js';
import { turnSpec, type TurnSpec } from './turn.js';

/** Warm-up turns per path: enough for the JIT and the connection pools, not measured. */
const WARM_UP_TURNS = 3;
const WARM_UP_TOKENS = 20;
/**
 * Before measuring, the twin runs `steadyStateTurns` short gateway turns (1,000 by default), in bursts of
 * {@link STEADY_STATE_BURST}: DynamoDB Local is a Java program, and its JIT takes a few
 * hundred requests to compile the transaction path (a cold admission costs ~15 ms, a
 * warm one ~4.5 ms here). The cloud's DynamoDB has no such warm-up, and a twin left
 * running for a while is warm, so the bench measures the steady state.
 */
const STEADY_STATE_BURST = 25;
/** Steady-state turns: few tokens, at once, so the warm-up takes seconds. */
const STEADY_STATE_PACE = { timeToFirstTokenMs: 0, tokensPerSecond: 1000 };
const STEADY_STATE_TOKENS = 5;
/** Output tokens of each burst turn: short, so the burst measures starting turns, not streaming. */
const BURST_TOKENS = 20;
/** Publishes of five events each in the fan-out scenario: 100 events to every subscriber. */
const FAN_OUT_PUBLISHES = 20;
/** How long the idle twin is sampled for its resting RSS. */
const IDLE_SAMPLE_IN_MS = 1_000;

/**
 * Runs every phase and records the results; resolves to the process exit code (0 when
 * every turn completed without a gap).
 * @example
 * process.exitCode = await runBench(root, parseBenchOptions(process.argv.slice(2), process.env));
 */
export async function runBench(root: string, options: BenchOptions): Promise<number> {
  // Progress shares stdout with the report so the two stay in order through the parent's pipe.
  const progress = (line: string) => console.log(`bench: ${line}`);
  const started = performance.now();
  // Read before the bench's own services start, so it reflects what else runs on the machine.
  const loadAverageAtStart = loadavg()[0];
  progress('starting cognito-local, DynamoDB Local and the twin…');
  const environment = await startBenchEnvironment({ root, userCount: options.users });
  const publishCounter = installPublishCounter();
  const dynamoDbCalls = installDynamoDbCallRecorder();
  const bedrock = directClient(environment.twin.context.bedrockEndpoint);
  const setup: PhaseSetup = {
    environment,
    bedrock,
    publishCounter,
    dynamoDbCalls,
    timeToFirstTokenMs: options.pace.timeToFirstTokenMs,
    turnTimeoutMs: options.turnTimeoutMs,
  };
  const nonce = randomBytes(3).toString('hex');
  const specs = (phase: string, count: number, tokens: number): TurnSpec[] =>
    Array.from({ length: count }, (_, i) => turnSpec(`${nonce}-${phase}-${i}`, tokens, options.pace));
  const phase = async (name: string, path: BenchPath, turns: TurnSpec[], concurrent: boolean): Promise<PhaseResult> => {
    progress(`${name}: ${turns.length} turn(s) ${concurrent ? 'at once' : 'one at a time'} over the ${path} path…`);
    const result = await runPhase(setup, path, turns, concurrent);
    // The Lambdas finish their bookkeeping after `end`; keep it out of the next phase.
    await environment.twin.context.lambda.drain();
    if (result.failedTurns > 0) progress(`  ${result.failedTurns} failed turn(s), e.g. ${result.problems[0]}`);
    return result;
  };

  let run: BenchRun;
  try {
    progress(`ready after ${Math.round(performance.now() - started)} ms; warming up…`);
    await phase('warm-up', BenchPath.Gateway, specs('warm-gateway', WARM_UP_TURNS, WARM_UP_TOKENS), true);
    progress(`steady state: ${options.steadyStateTurns} short gateway turns, ${STEADY_STATE_BURST} at a time, not measured…`);
    for (let burst = 0; burst < options.steadyStateTurns / STEADY_STATE_BURST; burst++) {
      const turns = Array.from({ length: STEADY_STATE_BURST }, (_, i) => turnSpec(`${nonce}-steady-${burst}-${i}`, STEADY_STATE_TOKENS, STEADY_STATE_PACE));
      const result = await runPhase(setup, BenchPath.Gateway, turns, true);
      await environment.twin.context.lambda.drain();
      if (result.failedTurns > 0) throw new Error(`steady-state warm-up: ${result.failedTurns} turn(s) failed, e.g. ${result.problems[0]}`);
    }
    await phase('warm-up', BenchPath.Direct, specs('warm-direct', WARM_UP_TURNS, WARM_UP_TOKENS), true);

    await settleMemory();
    const idle = startRssSampler();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_IN_MS));
    idle.stop();

    const concurrentDirect = await phase('concurrent baseline', BenchPath.Direct, specs('cd', options.concurrency, options.tokensPerTurn), true);
    await settleMemory();
    const concurrentGateway = await phase('concurrent', BenchPath.Gateway, specs('cg', options.concurrency, options.tokensPerTurn), true);
    const burstDirect = await phase('burst baseline', BenchPath.Direct, specs('bd', options.burstTurns, BURST_TOKENS), true);
    const burstGateway = await phase('burst', BenchPath.Gateway, specs('bg', options.burstTurns, BURST_TOKENS), true);
    const singleDirect = await phase('one-stream baseline', BenchPath.Direct, specs('sd', options.singleTurns, options.singleTokensPerTurn), false);
    const singleGateway = await phase('one stream', BenchPath.Gateway, specs('sg', options.singleTurns, options.singleTokensPerTurn), false);
    // The same one-stream turns over the OpenAI-compatible API (function URL, SSE), against the same baseline.
    const singleSse = await phase('one stream over SSE (/v1)', BenchPath.Sse, specs('ss', options.singleTurns, options.singleTokensPerTurn), false);
    // Idle before fan-out: the fan-out's 2,000 sockets leave memory the allocator keeps, which the idle figure would count.
    let idleConnections;
    if (options.idleConnections > 0) {
      progress(`idle: ${options.idleConnections} subscribed connections…`);
      idleConnections = await runIdleConnections(environment, options.idleConnections);
    }
    let fanOut;
    if (options.fanOutSubscribers > 0) {
      progress(`fan-out: one channel, ${options.fanOutSubscribers} subscribers, against a plain ws broadcast server…`);
      fanOut = await runFanOut(environment, { subscribers: options.fanOutSubscribers, publishes: FAN_OUT_PUBLISHES });
    }

    run = benchRun({
      options,
      single: scenario(singleGateway, singleDirect),
      sse: scenario(singleSse, singleDirect),
      concurrent: scenario(concurrentGateway, concurrentDirect),
      burst: scenario(burstGateway, burstDirect),
      idleRssMiB: idle.medianBytes() / 2 ** 20,
      loadAverageAtStart,
      fanOut,
      idleConnections,
    });
  } finally {
    dynamoDbCalls.uninstall();
    publishCounter.uninstall();
    bedrock.destroy();
    await environment.close();
  }

  if (!run.ok && environment.twinLog.length > 0) progress(`the twin logged:\n${environment.twinLog.slice(-10).join('\n')}`);
  console.log(`\n${renderRuns([run]).split('\n### History')[0]}`);
  if (options.write) {
    recordRun(run);
    progress(`recorded in ${RESULTS_PATH} and docs/benchmarks.md`);
  }
  progress(`done in ${Math.round((performance.now() - started) / 1000)} s: ${run.ok ? 'every turn completed, no sequence gaps' : 'FAILED turns or sequence gaps'}`);
  return run.ok ? 0 : 1;
}
