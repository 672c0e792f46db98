/**
 * Counts the streaming Lambda's Events publishes as they leave it. The Lambda runs in this
 * process and its EventsPublisher looks `globalThis.fetch` up on every call, so wrapping
 * fetch sees each `POST …/event` (retries included) without touching gateway code.
 */

/** Publish totals since the last reset. */
export interface PublishCounts {
  /** HTTP publish calls (each carries one to five events). */
  publishes: number;
  /** Events inside those calls. */
  events: number;
  /** Calls that threw or got a non-2xx answer (the publisher retries them). */
  failed: number;
}

/** When the Lambda handed a channel's first events of a kind to fetch (`performance.now()`). */
export interface ChannelTimes {
  startSentAt?: number;
  firstDeltaSentAt?: number;
}

export interface PublishCounter {
  snapshot(): PublishCounts;
  /** Send times of the `start` and first `delta` publish on `channel` since the last reset. */
  timesOf(channel: string): ChannelTimes;
  reset(): void;
  /** Puts the original fetch back. */
  uninstall(): void;
}

/** The HTTP publish path of AppSync Events. */
const EVENTS_PUBLISH_PATH = '/event';

/**
 * Wraps `globalThis.fetch` to count Events publishes.
 * @example
 * const counter = installPublishCounter();
 * // … run turns …
 * counter.snapshot(); // { publishes: 23, events: 24, failed: 0 }
 */
export function installPublishCounter(): PublishCounter {
  const original = globalThis.fetch;
  let counts: PublishCounts = { publishes: 0, events: 0, failed: 0 };
  let times = new Map<string, ChannelTimes>();
  globalThis.fetch = async function countingFetch(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const isPublish = url.pathname === EVENTS_PUBLISH_PATH && (init?.method ?? 'GET').toUpperCase() === 'POST';
    if (!isPublish) return original(input, init);
    const sentAt = performance.now();
    const { channel, types } = parsePublish(init?.body);
    counts.publishes++;
    counts.events += types.length;
    if (channel) {
      const entry = times.get(channel) ?? {};
      if (types.includes('start')) entry.startSentAt ??= sentAt;
      if (types.includes('delta')) entry.firstDeltaSentAt ??= sentAt;
      times.set(channel, entry);
    }
    try {
      const response = await original(input, init);
      if (!response.ok) counts.failed++;
      return response;
    } catch (error) {
      counts.failed++;
      throw error;
    }
  } as typeof fetch;
  return {
    snapshot: () => ({ ...counts }),
    timesOf: (channel) => ({ ...times.get(channel) }),
    reset: () => {
      counts = { publishes: 0, events: 0, failed: 0 };
      times = new Map();
    },
    uninstall: () => {
      globalThis.fetch = original;
    },
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
