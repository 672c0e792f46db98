/**
 * The idle scenario's clients, run in a process of their own (forked by
 * idle-connections.ts) so that the bench process's memory shows the twin's side of each
 * connection alone. It subscribes as it is told over IPC, answers with its own RSS, and
 * closes its sockets and exits when told to.
 */
import type { Twin } from '../infra/local/twin.js';
import type { BenchUser } from './environment.js';
import { subscribeMany, type Subscribers } from './subscribers.js';

/** What the bench sends: where to connect, as whom, and how many sockets. */
export interface IdleClientsOrder {
  url: string;
  host: string;
  user: BenchUser;
  channel: string;
  count: number;
}

export type IdleClientsReply = { type: 'subscribed'; rssBytes: number } | { type: 'failed'; message: string };

let subscribers: Subscribers | undefined;
process.on('message', (message: IdleClientsOrder | 'close') => {
  if (message === 'close') {
    void (subscribers?.close() ?? Promise.resolve()).finally(() => process.disconnect());
    return;
  }
  const twin = { url: message.url, context: { host: message.host } } as Twin;
  subscribeMany(twin, message.user, message.channel, message.count).then(
    (opened) => {
      subscribers = opened;
      process.send!({ type: 'subscribed', rssBytes: process.memoryUsage.rss() } satisfies IdleClientsReply);
    },
    (error: unknown) => process.send!({ type: 'failed', message: (error as Error).message } satisfies IdleClientsReply),
  );
});
