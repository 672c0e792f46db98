/**
 * Runs one phase of the bench (a set of turns over one path, one at a time or all at
 * once) and summarises it: first-token times, throughput, publishes, memory.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BenchEnvironment } from './environment.js';
import { runDirectTurn } from './direct-client.js';
import { runSseTurn } from './sse-client.js';
import type { DynamoDbCallRecorder } from './dynamodb-calls.js';
import { prepareGatewayTurn, type ReadyGatewayTurn } from './gateway-client.js';
import type { PublishCounter } from './publish-counter.js';
import { cpuSpent, sampleCpu } from './process-cpu.js';
import { startRssSampler } from './rss-sampler.js';
import { distribution, round1, type Distribution } from './stats.js';
import type { TurnMeasurement, TurnSpec } from './turn.js';

/** `sse`: the OpenAI-compatible API (`/v1/chat/completions`, server-sent events) of the same gateway. */
export const BenchPath = { Gateway: 'gateway', Direct: 'direct', Sse: 'sse' } as const;
export type BenchPath = (typeof BenchPath)[keyof typeof BenchPath];

/** How many problems a phase keeps for the report; the rest are only counted. */
const MAX_REPORTED_PROBLEMS = 5;
/** Sampling resolution of the event-loop delay histogram. */
const EVENT_LOOP_RESOLUTION_IN_MS = 2;

/**
 * Where the first-token time goes: each turn's first-token time cut at the moments the
 * simulator received the model call, sent its first token and (gateway) the Lambda
 * published it. A turn's segments add up to its first-token overhead.
 */
export interface FirstTokenSegments {
  /** Sending the request → the simulator receiving the model call: GraphQL, admission, invoke, claim and the SDK (gateway); the SDK alone (direct). */
  beforeModelCallMs: Distribution;
  /** The simulator's first token − its arrival − the configured time to first token: how late its timer fired (≈ 0). */
  modelWaitSlackMs: Distribution;
  /** The simulator sent the first token → the Lambda handed its publish to the HTTP client (gateway path only). */
  tokenToPublishMs?: Distribution;
  /** The Lambda's publish (gateway) or the simulator's first token (direct) → the client receiving it. */
  deliveryMs: Distribution;
}

/**
 * The two DynamoDB Local round trips a gateway turn makes before its model call, timed on
 * the wire by request id, and what of the first-token overhead is left without them.
 */
export interface DynamoDbRoundTrips {
  /** Admission's one write (UpdateItem on the budget item): first attempt sent → last answered. */
  admissionWriteMs: Distribution;
  /** The streaming Lambda's claim (UpdateItem setting status `streaming`). */
  claimMs: Distribution;
  /**
   * Each turn's first-token overhead − its admission write − its claim. The claim runs
   * while the SDK prepares the model request, so this subtracts an upper bound of what
   * DynamoDB costs, and what is left is a lower bound of the gateway's own work.
   */
  overheadLessDynamoDbMs: Distribution;
  /** Turns where both round trips were seen (all of them, unless the recorder missed one). */
  matchedTurns: number;
  /** Turns whose admission write was sent more than once (SDK retries). */
  retriedAdmissionWrites: number;
}

/** The summary of one phase. Times in ms, RSS in MiB. */
export interface PhaseResult {
  path: BenchPath;
  /** Turns in flight at once (1 = one stream). */
  concurrency: number;
  turns: number;
  failedTurns: number;
  problems: string[];
  /** `startChat` answered (gateway path; empty for direct). */
  startChatMs: Distribution;
  firstTokenMs: Distribution;
  /** First-token time minus the simulator's configured time to first token. */
  firstTokenOverheadMs: Distribution;
  /** The overhead split by component; absent in runs recorded before it was measured. */
  firstTokenSegments?: FirstTokenSegments;
  /** Gateway path only; absent for the direct path and in runs recorded before it was measured. */
  dynamoDb?: DynamoDbRoundTrips;
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
  /**
   * CPU time (user + system) the gateway spent while the phase ran: this process (the twin
   * and the bench's clients) and every function execution environment. Runs recorded
   * before functions had environments of their own counted this process only.
   */
  cpuMs: number;
  /** CPU time of DynamoDB Local and cognito-local in the same window; absent in older runs. */
  backingServicesCpuMs?: { dynamodb: number; cognito: number };
  /** Execution environments started during the phase (cold starts); absent in older runs. */
  coldStarts?: number;
  /** How late timers ran: a busy event loop delays every stream in the process at once. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface PhaseSetup {
  environment: BenchEnvironment;
  bedrock: BedrockRuntimeClient;
  publishCounter: PublishCounter;
  dynamoDbCalls: DynamoDbCallRecorder;
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
  setup.dynamoDbCalls.reset();
  setup.environment.modelCalls.reset();
  const rss = startRssSampler();
  const loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_IN_MS });
  loop.enable();
  const cpuBefore = sampleCpu();
  const logLinesBefore = setup.environment.twinLog.length;
  const modelCalls = setup.environment.modelCalls.timesOf;
  let measurements: TurnMeasurement[];
  let wallMs: number;
  try {
    if (concurrent) {
      // Connect and subscribe every client first: the burst measured is the turns, not the handshakes.
      const ready = path === BenchPath.Gateway ? await Promise.all(specs.map((spec, i) => prepare(setup, spec, i))) : [];
      const startedAt = performance.now();
      measurements = await Promise.all(specs.map((spec, i) => (path === BenchPath.Gateway ? ready[i].run() : otherTurn(setup, path, spec, i, modelCalls))));
      wallMs = performance.now() - startedAt;
      for (const client of ready) client.close();
    } else {
      measurements = [];
      wallMs = 0;
      for (const [i, spec] of specs.entries()) {
        const ready = path === BenchPath.Gateway ? await prepare(setup, spec, i) : undefined;
        const startedAt = performance.now();
        measurements.push(await (ready ? ready.run() : otherTurn(setup, path, spec, i, modelCalls)));
        wallMs += performance.now() - startedAt;
        ready?.close();
      }
    }
  } finally {
    rss.stop();
    loop.disable();
  }
  const cpu = cpuSpent(cpuBefore, sampleCpu());
  return {
    ...summarise(setup, path, concurrent ? specs.length : 1, measurements, wallMs, rss.peakBytes()),
    cpuMs: round1(cpu.gatewayMs),
    backingServicesCpuMs: { dynamodb: round1(cpu.dynamodbMs), cognito: round1(cpu.cognitoMs) },
    coldStarts: setup.environment.twinLog.slice(logLinesBefore).filter((line) => / REPORT RequestId: .*\tInit Duration: /.test(line)).length,
    eventLoopDelayMs: { p50: lateness(loop.percentile(50)), p99: lateness(loop.percentile(99)), max: lateness(loop.max) },
  };
}

/** A turn that needs no preparation: straight to the simulator, or over the SSE API as the index's user. */
function otherTurn(setup: PhaseSetup, path: BenchPath, spec: TurnSpec, index: number, modelCalls: Parameters<typeof runDirectTurn>[2]): Promise<TurnMeasurement> {
  if (path === BenchPath.Direct) return runDirectTurn(setup.bedrock, spec, modelCalls);
  const { twin, users } = setup.environment;
  return runSseTurn(twin.url, users[index % users.length]!.accessToken, spec, modelCalls);
}

function prepare(setup: PhaseSetup, spec: TurnSpec, index: number): Promise<ReadyGatewayTurn> {
  const { users, twin } = setup.environment;
  return prepareGatewayTurn(twin, users[index % users.length], spec, {
    timeoutMs: setup.turnTimeoutMs,
    publishTimes: setup.publishCounter.timesOf,
    modelCallTimes: setup.environment.modelCalls.timesOf,
    dynamoDbCalls: setup.dynamoDbCalls.timesOf,
  });
}

function summarise(
  setup: PhaseSetup,
  path: BenchPath,
  concurrency: number,
  measurements: TurnMeasurement[],
  wallMs: number,
  peakRssBytes: number,
): Omit<PhaseResult, 'cpuMs' | 'backingServicesCpuMs' | 'coldStarts' | 'eventLoopDelayMs'> {
  const firstTokens = defined(measurements, (m) => m.firstTokenMs);
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
    startChatMs: distribution(defined(measurements, (m) => m.startedMs)),
    firstTokenMs: distribution(firstTokens),
    firstTokenOverheadMs: distribution(firstTokens.map((ms) => ms - setup.timeToFirstTokenMs)),
    firstTokenSegments: segmentsOf(measurements, setup.timeToFirstTokenMs, gateway),
    ...(gateway ? { dynamoDb: dynamoDbOf(measurements, setup.timeToFirstTokenMs) } : {}),
    turnMs: distribution(defined(measurements, (m) => m.totalMs)),
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

/** Cuts each turn's first-token time at the moments seen; a segment covers the turns where both its ends were seen. */
function segmentsOf(measurements: TurnMeasurement[], timeToFirstTokenMs: number, gateway: boolean): FirstTokenSegments {
  const segment = (between: (m: TurnMeasurement) => [number | undefined, number | undefined], minus = 0) =>
    distribution(
      measurements.flatMap((m) => {
        const [from, to] = between(m);
        return from === undefined || to === undefined ? [] : [to - from - minus];
      }),
    );
  // Delivery starts at the Lambda's publish on the gateway path and at the simulator's first token on the direct one.
  const deliveredFrom = (m: TurnMeasurement) => (gateway ? m.firstDeltaPublishedMs : m.firstTokenSentMs);
  return {
    beforeModelCallMs: segment((m) => [0, m.modelCallReceivedMs]),
    modelWaitSlackMs: segment((m) => [m.modelCallReceivedMs, m.firstTokenSentMs], timeToFirstTokenMs),
    ...(gateway ? { tokenToPublishMs: segment((m) => [m.firstTokenSentMs, m.firstDeltaPublishedMs]) } : {}),
    deliveryMs: segment((m) => [deliveredFrom(m), m.firstTokenMs]),
  };
}

function dynamoDbOf(measurements: TurnMeasurement[], timeToFirstTokenMs: number): DynamoDbRoundTrips {
  const matched = measurements.filter((m) => m.admissionWriteMs !== undefined && m.claimMs !== undefined);
  return {
    admissionWriteMs: distribution(defined(measurements, (m) => m.admissionWriteMs)),
    claimMs: distribution(defined(measurements, (m) => m.claimMs)),
    overheadLessDynamoDbMs: distribution(
      defined(matched, (m) => (m.firstTokenMs === undefined ? undefined : m.firstTokenMs - timeToFirstTokenMs - m.admissionWriteMs! - m.claimMs!)),
    ),
    matchedTurns: matched.length,
    retriedAdmissionWrites: measurements.filter((m) => (m.admissionWriteAttempts ?? 0) > 1).length,
  };
}

/** The histogram holds each sampling interval in nanoseconds, the resolution included: keep only the delay. */
function lateness(intervalNs: number): number {
  return round1(Math.max(0, intervalNs / 1e6 - EVENT_LOOP_RESOLUTION_IN_MS));
}

function defined(measurements: TurnMeasurement[], pick: (m: TurnMeasurement) => number | undefined): number[] {
  return measurements.flatMap((m) => {
    const value = pick(m);
    return value === undefined ? [] : [value];
  });
}
