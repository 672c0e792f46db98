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

export interface PublishCounter {
  snapshot(): PublishCounts;
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
  globalThis.fetch = async function countingFetch(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const isPublish = url.pathname === EVENTS_PUBLISH_PATH && (init?.method ?? 'GET').toUpperCase() === 'POST';
    if (!isPublish) return original(input, init);
    counts.publishes++;
    counts.events += eventsIn(init?.body);
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
    reset: () => {
      counts = { publishes: 0, events: 0, failed: 0 };
    },
    uninstall: () => {
      globalThis.fetch = original;
    },
  };
}

function eventsIn(body: unknown): number {
  if (typeof body !== 'string') return 0;
  try {
    const parsed = JSON.parse(body) as { events?: unknown };
    return Array.isArray(parsed.events) ? parsed.events.length : 0;
  } catch {
    return 0;
  }
}
