/**
 * The idle-connections scenario: many subscribed WebSockets that receive nothing, and what
 * they cost the twin in memory. The clients run in a process of their own
 * (idle-clients.ts), so the growth of the bench process (the twin, with the simulator and
 * what the bench keeps) is the twin's side of the connections alone; the function
 * environments, DynamoDB Local and cognito-local are processes of their own, and the
 * backing services are reported apart, from /proc.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { BenchEnvironment } from './environment.js';
import type { IdleClientsOrder, IdleClientsReply } from './idle-clients.js';
import { round1 } from './stats.js';
import { settleMemory } from './rss-sampler.js';

export interface IdleConnectionsResult {
  connections: number;
  /** The bench process (the twin, the simulator and what the bench keeps) before connecting. */
  twinRssBeforeMiB: number;
  /** The same with every connection open and idle. */
  twinRssMiB: number;
  /** (after − before) ÷ connections, KiB: the twin's side of each socket (runs before 2026-12-02 21:00 counted both ends). */
  perConnectionKiB: number;
  /** The clients' own process with every connection open. */
  clientsRssMiB?: number;
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
  const user = environment.users[0]!;
  // The clients' process inherits NODE_EXTRA_CA_CERTS, and so trusts the twin as the bench does.
  const clients = fork(new URL('./idle-clients.ts', import.meta.url).pathname, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const order: IdleClientsOrder = { url: environment.twin.url, host: environment.twin.context.host, user, channel: `/chat/${user.sub}/bench-idle`, count: connections };
    clients.send(order);
    const [reply] = (await once(clients, 'message')) as [IdleClientsReply];
    if (reply.type === 'failed') throw new Error(`idle clients: ${reply.message}`);
    await new Promise((resolve) => setTimeout(resolve, IDLE_HOLD_IN_MS));
    await settleMemory();
    const after = process.memoryUsage.rss();
    return {
      connections,
      twinRssBeforeMiB: round1(before / 2 ** 20),
      twinRssMiB: round1(after / 2 ** 20),
      perConnectionKiB: round1((after - before) / 1024 / connections),
      clientsRssMiB: round1(reply.rssBytes / 2 ** 20),
      dynamoDbLocalRssMiB: rssOfPid(environment.services.dynamodb.pid),
      cognitoLocalRssMiB: rssOfPid(environment.services.cognito.pid),
    };
  } finally {
    const exited = once(clients, 'exit');
    if (clients.connected) clients.send('close');
    else clients.kill();
    await exited;
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
