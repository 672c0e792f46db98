/**
 * Runs one phase of the bench (a set of turns over one path, one at a time or all at
 * once) and summarises it: first-token times, throughput, publishes, memory.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BenchEnvironment } from './environment.js';
import { runDirectTurn } from './direct-client.js';
import { prepareGatewayTurn, type ReadyGatewayTurn } from './gateway-client.js';
import type { PublishCounter } from './publish-counter.js';
import { startRssSampler } from './rss-sampler.js';
import { distribution, round1, type Distribution } from './stats.js';
import type { TurnMeasurement, TurnSpec } from './turn.js';

export const BenchPath = { Gateway: 'gateway', Direct: 'direct' } as const;
export type BenchPath = (typeof BenchPath)[keyof typeof BenchPath];

/** How many problems a phase keeps for the report; the rest are only counted. */
const MAX_REPORTED_PROBLEMS = 5;

/** The summary of one phase. Times in ms, RSS in MiB. */
export interface PhaseResult {
  path: BenchPath;
  /** Turns in flight at once (1 = one stream). */
  concurrency: number;
  turns: number;
  failedTurns: number;
  problems: string[];
  firstTokenMs: Distribution;
  /** First-token time minus the simulator's configured time to first token. */
  firstTokenOverheadMs: Distribution;
  turnMs: Distribution;
  outputTokens: number;
  /** From the first turn started to the last one ended. */
  wallMs: number;
  /** Output tokens delivered per second of wall time, all turns together. */
  tokensPerSecond: number;
  /** Events `data` messages clients received (gateway path). */
  dataMessages: number;
  gaps: number;
  duplicates: number;
  /** Publish calls the streaming Lambda made (gateway path). */
  publishes: number;
  publishedEvents: number;
  failedPublishes: number;
  peakRssMiB: number;
}

export interface PhaseSetup {
  environment: BenchEnvironment;
  bedrock: BedrockRuntimeClient;
  publishCounter: PublishCounter;
  timeToFirstTokenMs: number;
  turnTimeoutMs: number;
}

/**
 * Runs `specs` over `path`: all at once when `concurrent`, else one after another.
 * @example
 * const result = await runPhase(setup, BenchPath.Gateway, specs, true);
 */
export async function runPhase(setup: PhaseSetup, path: BenchPath, specs: readonly TurnSpec[], concurrent: boolean): Promise<PhaseResult> {
  setup.publishCounter.reset();
  const rss = startRssSampler();
  let measurements: TurnMeasurement[];
  let wallMs: number;
  try {
    if (concurrent) {
      // Connect and subscribe every client first: the burst measured is the turns, not the handshakes.
      const ready = path === BenchPath.Gateway ? await Promise.all(specs.map((spec, i) => prepare(setup, spec, i))) : [];
      const startedAt = performance.now();
      measurements = await Promise.all(specs.map((spec, i) => (path === BenchPath.Gateway ? ready[i].run() : runDirectTurn(setup.bedrock, spec))));
      wallMs = performance.now() - startedAt;
      for (const client of ready) client.close();
    } else {
      measurements = [];
      wallMs = 0;
      for (const [i, spec] of specs.entries()) {
        const ready = path === BenchPath.Gateway ? await prepare(setup, spec, i) : undefined;
        const startedAt = performance.now();
        measurements.push(await (ready ? ready.run() : runDirectTurn(setup.bedrock, spec)));
        wallMs += performance.now() - startedAt;
        ready?.close();
      }
    }
  } finally {
    rss.stop();
  }
  return summarise(setup, path, concurrent ? specs.length : 1, measurements, wallMs, rss.peakBytes());
}

function prepare(setup: PhaseSetup, spec: TurnSpec, index: number): Promise<ReadyGatewayTurn> {
  const { users, twin } = setup.environment;
  return prepareGatewayTurn(twin, users[index % users.length], spec, setup.turnTimeoutMs);
}

function summarise(setup: PhaseSetup, path: BenchPath, concurrency: number, measurements: TurnMeasurement[], wallMs: number, peakRssBytes: number): PhaseResult {
  const firstTokens = measurements.flatMap((m) => (m.firstTokenMs === undefined ? [] : [m.firstTokenMs]));
  const outputTokens = measurements.reduce((sum, m) => sum + m.outputTokens, 0);
  const failed = measurements.filter((m) => !m.ok);
  const publishes = setup.publishCounter.snapshot();
  const gateway = path === BenchPath.Gateway;
  return {
    path,
    concurrency,
    turns: measurements.length,
    failedTurns: failed.length,
    problems: failed.slice(0, MAX_REPORTED_PROBLEMS).map((m) => m.problem ?? 'unknown'),
    firstTokenMs: distribution(firstTokens),
    firstTokenOverheadMs: distribution(firstTokens.map((ms) => ms - setup.timeToFirstTokenMs)),
    turnMs: distribution(measurements.flatMap((m) => (m.totalMs === undefined ? [] : [m.totalMs]))),
    outputTokens,
    wallMs: round1(wallMs),
    tokensPerSecond: round1(outputTokens / (wallMs / 1000)),
    dataMessages: measurements.reduce((sum, m) => sum + m.dataMessages, 0),
    gaps: measurements.reduce((sum, m) => sum + m.gaps, 0),
    duplicates: measurements.reduce((sum, m) => sum + m.duplicates, 0),
    publishes: gateway ? publishes.publishes : 0,
    publishedEvents: gateway ? publishes.events : 0,
    failedPublishes: gateway ? publishes.failed : 0,
    peakRssMiB: round1(peakRssBytes / 2 ** 20),
  };
}
