/**
 * Samples this process's resident set size. `process.resourceUsage().maxRSS` only ever
 * grows, so it cannot give the peak of one phase after another; sampling can.
 */

/** How often the RSS is read: often enough to catch a burst of 50 turns starting. */
export const RSS_SAMPLE_INTERVAL_IN_MS = 25;

export interface RssSampler {
  /** Highest RSS seen since the sampler started, in bytes. */
  peakBytes(): number;
  /** Median of the samples, in bytes (a steady level, for idle phases). */
  medianBytes(): number;
  stop(): void;
}

/**
 * Starts sampling `process.memoryUsage.rss()` until `stop()`.
 * @example
 * const rss = startRssSampler();
 * await runPhase();
 * rss.stop(); rss.peakBytes();
 */
export function startRssSampler(intervalMs = RSS_SAMPLE_INTERVAL_IN_MS): RssSampler {
  const samples: number[] = [process.memoryUsage.rss()];
  const timer = setInterval(() => samples.push(process.memoryUsage.rss()), intervalMs);
  return {
    peakBytes: () => Math.max(...samples, process.memoryUsage.rss()),
    medianBytes: () => {
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    },
    stop: () => clearInterval(timer),
  };
}

/** Runs a full garbage collection when the process has `--expose-gc` (the bench re-exec passes it). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** How long V8 gets to hand freed pages back between the two collections of {@link settleMemory}. */
const SETTLE_PAUSE_IN_MS = 500;

/**
 * Collects, waits, collects again: after the steady-state warm-up's thousand turns, RSS
 * only falls to its resting size once V8 has released the freed pages, which one
 * collection alone does not wait for (the idle figure then read above the phases' peaks).
 */
export async function settleMemory(): Promise<void> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_IN_MS));
  collectGarbage();
}
