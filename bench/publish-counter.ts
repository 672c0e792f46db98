/**
 * Counts the streaming Lambda's Events publishes as they reach the Events twin: a tap
 * (bench/http-tap.ts) sees each signed `POST /event` (retries included) without touching
 * gateway code.
 */
import { addHttpTap } from './http-tap.js';

/** Publish totals since the last reset. */
export interface PublishCounts {
  /** HTTP publish calls (each carries one to five events). */
  publishes: number;
  /** Events inside those calls. */
  events: number;
  /** Calls that threw or got a non-2xx answer (the publisher retries them). */
  failed: number;
}

/** When a channel's first delta publish reached the twin (`performance.now()`). */
export interface ChannelTimes {
  firstDeltaSentAt?: number;
}

export interface PublishCounter {
  snapshot(): PublishCounts;
  /** Send time of the first `delta` publish on `channel` since the last reset. */
  timesOf(channel: string): ChannelTimes;
  reset(): void;
  /** Stops counting. */
  uninstall(): void;
}

/** The HTTP publish path of AppSync Events. */
const EVENTS_PUBLISH_PATH = '/event';

/**
 * Counts Events publishes through an {@link addHttpTap} tap.
 * @example
 * const counter = installPublishCounter();
 * // … run turns …
 * counter.snapshot(); // { publishes: 23, events: 24, failed: 0 }
 */
export function installPublishCounter(): PublishCounter {
  let counts: PublishCounts = { publishes: 0, events: 0, failed: 0 };
  let times = new Map<string, ChannelTimes>();
  const removeTap = addHttpTap((request) => {
    const isPublish = request.path === EVENTS_PUBLISH_PATH && request.method.toUpperCase() === 'POST';
    if (!isPublish) return undefined;
    const sentAt = performance.now();
    const { channel, types } = parsePublish(request.body);
    counts.publishes++;
    counts.events += types.length;
    if (channel) {
      const entry = times.get(channel) ?? {};
      if (types.includes('delta')) entry.firstDeltaSentAt ??= sentAt;
      times.set(channel, entry);
    }
    return ({ statusCode }) => {
      if (statusCode === undefined || statusCode < 200 || statusCode > 299) counts.failed++;
    };
  });
  return {
    snapshot: () => ({ ...counts }),
    timesOf: (channel) => ({ ...times.get(channel) }),
    reset: () => {
      counts = { publishes: 0, events: 0, failed: 0 };
      times = new Map();
    },
    uninstall: removeTap,
  };
}

/** The channel and the stream event types of a publish body (`{channel, events: [json…]}`). */
function parsePublish(body: unknown): { channel?: string; types: string[] } {
  if (typeof body !== 'string') return { types: [] };
  try {
    const parsed = JSON.parse(body) as { channel?: unknown; events?: unknown };
    const events = Array.isArray(parsed.events) ? parsed.events : [];
    const types = events.map((event) => {
      const value = (typeof event === 'string' ? JSON.parse(event) : event) as { type?: unknown } | null;
      return typeof value?.type === 'string' ? value.type : 'unknown';
    });
    return { channel: typeof parsed.channel === 'string' ? parsed.channel : undefined, types };
  } catch {
    return { types: [] };
  }
}
