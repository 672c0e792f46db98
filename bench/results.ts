/**
 * One bench run as recorded in bench/results.json: the machine, the options, each phase,
 * and the figures issue 4 asks for, with the gateway as ratios against the baseline.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchOptions } from './options.js';
import type { PhaseResult } from './phase.js';
import type { FanOutResult } from './fan-out.js';
import type { IdleConnectionsResult } from './idle-connections.js';
import { ratio, round1 } from './stats.js';

/** The bench targets (issue 4, "Must show"). */
export const TARGET_MAX_PUBLISHES_PER_1000_TOKENS = 25;
export const TARGET_MAX_SINGLE_STREAM_OVERHEAD_P50_IN_MS = 10;
/** Issue 13: the twin's fan-out throughput against a plain `ws` broadcast server, and its RSS with idle connections. */
export const TARGET_MIN_FAN_OUT_THROUGHPUT_RATIO = 0.5;
export const TARGET_MAX_IDLE_CONNECTIONS_RSS_IN_MIB = 250;

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryGiB: number;
  /** 1-minute load average when the bench started: above 0.5 × cores, something else was running. */
  loadAverageAtStart: number;
}

/** A scenario run over both paths, and the gateway's figures against the baseline. */
export interface ScenarioResult {
  gateway: PhaseResult;
  direct: PhaseResult;
  publishesPer1000OutputTokens: number;
  eventsPerPublish: number;
  /** gateway ÷ direct: above 1 means the gateway is slower to the first token. */
  firstTokenP50Ratio: number | null;
  firstTokenP99Ratio: number | null;
  /** gateway ÷ direct: below 1 means the gateway delivers fewer tokens per second. */
  tokensPerSecondRatio: number | null;
  /** CPU per turn, gateway ÷ direct (every gateway process against the SDK client alone); absent in older runs. */
  cpuPerTurnRatio?: number | null;
}

export interface BenchRun {
  date: string;
  machine: Machine;
  options: Omit<BenchOptions, 'write' | 'turnTimeoutMs' | 'fanOutSubscribers' | 'idleConnections'>;
  single: ScenarioResult;
  /** The one-stream turns over the OpenAI-compatible API (SSE) against the same baseline; absent in older runs. */
  sse?: ScenarioResult;
  concurrent: ScenarioResult;
  /** `burstTurns` started at once, short turns; absent in runs recorded before it was measured. */
  burst?: ScenarioResult;
  memory: {
    /** The twin started, warmed up and idle (median of samples). */
    idleRssMiB: number;
    /** Peak while the direct (no gateway) concurrent phase ran. */
    directPeakRssMiB: number;
    /** Peak while the gateway concurrent phase ran. */
    gatewayPeakRssMiB: number;
    gatewayGrowthMiB: number;
    /** gateway peak ÷ idle. */
    gatewayPeakOverIdle: number | null;
    /** `process.resourceUsage().maxRSS` at the end: the whole run's peak. */
    processMaxRssMiB: number;
  };
  targets: {
    publishesPer1000OutputTokens: { limit: number; value: number; met: boolean };
    singleStreamFirstTokenOverheadP50Ms: { limit: number; value: number; met: boolean };
    /**
     * Informational, not a target: the one-stream p50 of each turn's overhead less its two
     * DynamoDB Local round trips (admission write and claim). Absent in runs recorded before
     * it was measured; NaN (null in JSON) when no turn's round trips were seen.
     */
    singleStreamFirstTokenOverheadLessDynamoDbP50Ms?: { value: number };
  };
  /** The fan-out scenario (absent in runs recorded before it, or skipped). */
  fanOut?: FanOutResult;
  /** The idle-connections scenario (absent in runs recorded before it, or skipped). */
  idleConnections?: IdleConnectionsResult;
  /** No failed turn and no sequence gap in any phase. */
  ok: boolean;
}

/**
 * The machine the run happened on.
 * @example
 * describeMachine().cores; // 2
 */
export function describeMachine(loadAverageAtStart = loadavg()[0]): Machine {
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    totalMemoryGiB: round1(totalmem() / 2 ** 30),
    loadAverageAtStart: Math.round(loadAverageAtStart * 100) / 100,
  };
}

/**
 * Combines a scenario's two phases.
 * @example
 * const concurrent = scenario(gatewayPhase, directPhase);
 */
export function scenario(gateway: PhaseResult, direct: PhaseResult): ScenarioResult {
  return {
    gateway,
    direct,
    publishesPer1000OutputTokens: round1((gateway.publishes / gateway.outputTokens) * 1000),
    eventsPerPublish: Math.round((gateway.publishedEvents / gateway.publishes) * 100) / 100,
    firstTokenP50Ratio: ratio(gateway.firstTokenMs.p50, direct.firstTokenMs.p50),
    firstTokenP99Ratio: ratio(gateway.firstTokenMs.p99, direct.firstTokenMs.p99),
    tokensPerSecondRatio: ratio(gateway.tokensPerSecond, direct.tokensPerSecond),
    cpuPerTurnRatio: ratio(gateway.cpuMs / gateway.turns, direct.cpuMs / direct.turns),
  };
}

/**
 * Assembles the run record, its targets and whether the smoke check passed.
 * @example
 * const run = benchRun({ options, single, concurrent, idleRssMiB, loadAverageAtStart: loadavg()[0] });
 */
export function benchRun(input: {
  options: BenchOptions;
  single: ScenarioResult;
  sse?: ScenarioResult;
  concurrent: ScenarioResult;
  burst: ScenarioResult;
  idleRssMiB: number;
  loadAverageAtStart: number;
  fanOut?: FanOutResult;
  idleConnections?: IdleConnectionsResult;
}): BenchRun {
  const { options, single, concurrent, burst, idleRssMiB } = input;
  const phases = [single.gateway, single.direct, ...(input.sse ? [input.sse.gateway] : []), concurrent.gateway, concurrent.direct, burst.gateway, burst.direct];
  const gatewayPeak = concurrent.gateway.peakRssMiB;
  // At the default pace the budget applies; the concurrent scenario is the representative mix.
  const publishes = concurrent.publishesPer1000OutputTokens;
  const overhead = single.gateway.firstTokenOverheadMs.p50;
  const overheadLessDynamoDb = single.gateway.dynamoDb?.overheadLessDynamoDbMs.p50 ?? Number.NaN;
  return {
    date: new Date().toISOString(),
    machine: describeMachine(input.loadAverageAtStart),
    options: {
      concurrency: options.concurrency,
      burstTurns: options.burstTurns,
      tokensPerTurn: options.tokensPerTurn,
      singleTurns: options.singleTurns,
      singleTokensPerTurn: options.singleTokensPerTurn,
      steadyStateTurns: options.steadyStateTurns,
      users: options.users,
      pace: options.pace,
    },
    single,
    ...(input.sse ? { sse: input.sse } : {}),
    concurrent,
    burst,
    memory: {
      idleRssMiB: round1(idleRssMiB),
      directPeakRssMiB: concurrent.direct.peakRssMiB,
      gatewayPeakRssMiB: gatewayPeak,
      gatewayGrowthMiB: round1(gatewayPeak - idleRssMiB),
      gatewayPeakOverIdle: ratio(gatewayPeak, idleRssMiB),
      // maxRSS is in kilobytes.
      processMaxRssMiB: round1(process.resourceUsage().maxRSS / 1024),
    },
    targets: {
      publishesPer1000OutputTokens: { limit: TARGET_MAX_PUBLISHES_PER_1000_TOKENS, value: publishes, met: publishes <= TARGET_MAX_PUBLISHES_PER_1000_TOKENS },
      singleStreamFirstTokenOverheadP50Ms: {
        limit: TARGET_MAX_SINGLE_STREAM_OVERHEAD_P50_IN_MS,
        value: overhead,
        met: overhead < TARGET_MAX_SINGLE_STREAM_OVERHEAD_P50_IN_MS,
      },
      singleStreamFirstTokenOverheadLessDynamoDbP50Ms: { value: overheadLessDynamoDb },
    },
    ...(input.fanOut ? { fanOut: input.fanOut } : {}),
    ...(input.idleConnections ? { idleConnections: input.idleConnections } : {}),
    // A fan-out that lost a delivery fails the smoke check like a sequence gap.
    ok:
      phases.every((p) => p.failedTurns === 0 && p.gaps === 0) &&
      (!input.fanOut || (input.fanOut.gateway.deliveries === input.fanOut.gateway.events * input.fanOut.gateway.subscribers && input.fanOut.raw.deliveries === input.fanOut.raw.events * input.fanOut.raw.subscribers)),
  };
}
