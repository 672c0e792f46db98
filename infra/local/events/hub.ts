import { channelMatches } from './channel.js';
import { encodeFrame, frames } from './sender.js';

/** One subscription of one connection. */
export interface Subscription {
  id: string;
  /** Channel segments as subscribed, possibly ending in `*`. */
  segments: string[];
}

/** What the hub needs from a connection: its subscriptions and a way to send it a frame. */
export interface Subscriber {
  subscriptions: ReadonlyMap<string, Subscription>;
  send(text: string): void;
}

/**
 * Delivers published events to every matching subscription of every connection, one
 * `data` frame per event and subscription, in publish order.
 *
 * @example
 * ```ts
 * const hub = new SubscriptionHub();
 * hub.add(connection);
 * hub.broadcast(['chat', sub, 'c1'], [encodeEvent({ type: 'delta' })]);
 * ```
 */
export class SubscriptionHub {
  readonly #subscribers = new Set<Subscriber>();

  add(subscriber: Subscriber): void {
    this.#subscribers.add(subscriber);
  }

  delete(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Sends each event (already serialised by `encodeEvent`); returns how many `data` frames were sent. */
  broadcast(segments: readonly string[], events: readonly string[]): number {
    let sent = 0;
    for (const subscriber of this.#subscribers) {
      for (const subscription of subscriber.subscriptions.values()) {
        if (!channelMatches(subscription.segments, segments)) continue;
        for (const event of events) {
          subscriber.send(encodeFrame(frames.data(subscription.id, event)));
          sent++;
        }
      }
    }
    return sent;
  }
}
