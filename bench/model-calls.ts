/**
 * When the Bedrock simulator received each turn's model call and sent its first token, as
 * the twin reports them (`onBedrockConverseStream`). The simulator runs in this process on
 * the same `performance.now()` clock as the clients, so the times line up with theirs.
 */
import type { ConverseStreamTiming } from '../infra/local/bedrock/index.js';

/** One model call as the simulator saw it (`performance.now()`). */
export interface ModelCallTimes {
  receivedAt: number;
  firstTokenSentAt: number;
}

export interface ModelCallRecorder {
  /** Give this to the twin as `onBedrockConverseStream`. */
  observe(timing: ConverseStreamTiming): void;
  /** The call whose last user message was `prompt` (every bench prompt is unique), if it sent a token since the last reset. */
  timesOf(prompt: string): ModelCallTimes | undefined;
  reset(): void;
}

/**
 * Records model calls by prompt.
 * @example
 * const modelCalls = recordModelCalls();
 * const twin = await startTwin({ services, onBedrockConverseStream: modelCalls.observe });
 * modelCalls.timesOf(spec.prompt); // { receivedAt: 1520.4, firstTokenSentAt: 1821.9 }
 */
export function recordModelCalls(): ModelCallRecorder {
  let calls = new Map<string, ModelCallTimes>();
  return {
    observe: (timing) => {
      // A retried call repeats its prompt: the turn's model call is the first to send a token.
      if (!calls.has(timing.prompt)) calls.set(timing.prompt, { receivedAt: timing.receivedAt, firstTokenSentAt: timing.firstDeltaSentAt });
    },
    timesOf: (prompt) => calls.get(prompt),
    reset: () => {
      calls = new Map();
    },
  };
}
