/**
 * The idle-connections scenario: many subscribed WebSockets that receive nothing, and what
 * they cost the twin in memory. The twin runs in the bench's own process, so its RSS covers
 * the twin and the client sockets the bench holds (an upper bound on the twin's share); the
 * function environments, DynamoDB Local and cognito-local are processes of their own, and
 * the backing services are reported apart, from /proc.
 */
import { readFileSync } from 'node:fs';
import type { BenchEnvironment } from './environment.js';
import { round1 } from './stats.js';
import { settleMemory } from './rss-sampler.js';
import { subscribeMany } from './subscribers.js';

export interface IdleConnectionsResult {
  connections: number;
  /** The bench process (twin, function environments, and the bench's client sockets) before connecting. */
  twinRssBeforeMiB: number;
  /** The same with every connection open and idle. */
  twinRssMiB: number;
  /** (after − before) ÷ connections, KiB: both ends of each socket, as the bench holds both. */
  perConnectionKiB: number;
  /** Backing services' RSS, MiB (null where the process is not ours to read). */
  dynamoDbLocalRssMiB: number | null;
  cognitoLocalRssMiB: number | null;
}

/** How long the connections sit idle before the sample. */
const IDLE_HOLD_IN_MS = 2_000;

/**
 * Opens `connections` subscriptions, lets them idle, and samples memory.
 * @example
 * const idle = await runIdleConnections(environment, 1000);
 */
export async function runIdleConnections(environment: BenchEnvironment, connections: number): Promise<IdleConnectionsResult> {
  await settleMemory();
  const before = process.memoryUsage.rss();
  const user = environment.users[0];
  const subscribers = await subscribeMany(environment.twin, user, `/chat/${user.sub}/bench-idle`, connections);
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_HOLD_IN_MS));
    await settleMemory();
    const after = process.memoryUsage.rss();
    return {
      connections,
      twinRssBeforeMiB: round1(before / 2 ** 20),
      twinRssMiB: round1(after / 2 ** 20),
      perConnectionKiB: round1((after - before) / 1024 / connections),
      dynamoDbLocalRssMiB: rssOfPid(environment.services.dynamodb.pid),
      cognitoLocalRssMiB: rssOfPid(environment.services.cognito.pid),
    };
  } finally {
    await subscribers.close();
  }
}

/** A process's resident set from /proc (Linux), MiB; null when unknown or unreadable. */
function rssOfPid(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round1(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}
