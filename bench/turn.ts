/**
 * What the bench asks of every turn and what it measured, whichever path ran it, and the
 * checks that make the bench a smoke test: no failed turn, no sequence gap, the text the
 * simulator would produce.
 */
import { simulate } from '../infra/local/bedrock/index.js';
import { SIMULATOR_MODEL_ID } from '../schema/models.js';
import type { ModelCallTimes } from './model-calls.js';
import type { BenchPace } from './options.js';

/** The model every bench turn uses: the twin's simulator, priced like a small model. */
export const BENCH_MODEL_ID = SIMULATOR_MODEL_ID;
/** `maxTokens` above the requested length, so turns end with end_turn, not max_tokens. */
const MAX_TOKENS_HEADROOM = 16;
/** The `users` group's cap on maxTokens (functions/shared/config.ts). */
const USERS_MAX_OUTPUT_TOKENS = 2048;

/** One turn to run: the same prompt goes through the gateway or straight to Bedrock. */
export interface TurnSpec {
  /** Unique per turn, so every answer differs and no cache or dedup helps. */
  label: string;
  prompt: string;
  maxTokens: number;
  expectedText: string;
  expectedOutputTokens: number;
}

/** What one turn measured; times in milliseconds from the moment the client started it. */
export interface TurnMeasurement {
  ok: boolean;
  /** Why the turn counts as failed (absent when ok). */
  problem?: string;
  /** When `startChat` answered (gateway path): admission and the asynchronous invoke. */
  startedMs?: number;
  /** When the Bedrock simulator received the turn's model call. */
  modelCallReceivedMs?: number;
  /** When the simulator sent the first token (after its configured time to first token). */
  firstTokenSentMs?: number;
  /** When the Lambda handed the first delta's publish to the HTTP client (gateway path; `start` rides in it). */
  firstDeltaPublishedMs?: number;
  /** When the client received the first text. */
  firstTokenMs?: number;
  /** How long admission's write (one UpdateItem on the budget item) took on the wire, retries included (gateway path). */
  admissionWriteMs?: number;
  /** Times admission's transaction was sent: above 1 when it was retried, e.g. by the SDK (gateway path). */
  admissionWriteAttempts?: number;
  /** How long the streaming Lambda's claim (UpdateItem) took on the wire (gateway path). */
  claimMs?: number;
  totalMs?: number;
  outputTokens: number;
  /** Stream events the client received (gateway path): Events `data` messages. */
  dataMessages: number;
  /** Sequence numbers missing between 0 and the final event. */
  gaps: number;
  /** Events received more than once (a retried publish); clients drop them. */
  duplicates: number;
}

/**
 * Builds a turn of exactly `tokens` output tokens at `pace`, and the answer the
 * simulator will give it.
 * @example
 * const spec = turnSpec('c-7', 200, { timeToFirstTokenMs: 300, tokensPerSecond: 80 });
 */
export function turnSpec(label: string, tokens: number, pace: BenchPace): TurnSpec {
  const prompt = `Benchmark turn ${label}: describe a river delta. [[sim:tokens=${tokens}]] [[sim:slow-start=${pace.timeToFirstTokenMs}]] [[sim:tps=${pace.tokensPerSecond}]]`;
  const maxTokens = Math.min(USERS_MAX_OUTPUT_TOKENS, tokens + MAX_TOKENS_HEADROOM);
  const expected = simulate(
    { modelId: BENCH_MODEL_ID, messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens } },
    { models: { [BENCH_MODEL_ID]: {} } },
  );
  return { label, prompt, maxTokens, expectedText: expected.text, expectedOutputTokens: expected.usage.outputTokens };
}

/**
 * Checks what a client assembled against the spec; returns the first problem or undefined.
 * @example
 * checkAnswer(spec, { text, outputTokens, stopReason: 'end_turn' }); // undefined when right
 */
export function checkAnswer(spec: TurnSpec, got: { text: string; outputTokens: number; stopReason: string | undefined }): string | undefined {
  if (got.stopReason !== 'end_turn') return `stopReason ${got.stopReason ?? 'missing'}, expected end_turn`;
  if (got.outputTokens !== spec.expectedOutputTokens) return `usage.outputTokens ${got.outputTokens}, expected ${spec.expectedOutputTokens}`;
  if (got.text !== spec.expectedText) return `streamed text differs from the simulator's answer (${got.text.length} vs ${spec.expectedText.length} chars)`;
  return undefined;
}

/**
 * The measurement of a turn streamed straight back to its client (the direct SDK path and
 * the OpenAI-compatible SSE path): no Events hop, so no sequence gaps or duplicates.
 * @example
 * return streamedTurnMeasurement(spec, startedAt, { firstTokenAt, outputTokens, dataMessages: 0, problem }, modelCallTimes);
 */
export function streamedTurnMeasurement(
  spec: TurnSpec,
  startedAt: number,
  seen: { firstTokenAt: number | undefined; outputTokens: number; dataMessages: number; problem: string | undefined },
  modelCallTimes: (prompt: string) => ModelCallTimes | undefined,
): TurnMeasurement {
  const totalMs = performance.now() - startedAt;
  const since = (at: number | undefined) => (at === undefined ? undefined : at - startedAt);
  const modelCall = modelCallTimes(spec.prompt);
  return {
    ok: seen.problem === undefined,
    problem: seen.problem,
    modelCallReceivedMs: since(modelCall?.receivedAt),
    firstTokenSentMs: since(modelCall?.firstTokenSentAt),
    firstTokenMs: since(seen.firstTokenAt),
    totalMs,
    outputTokens: seen.outputTokens,
    dataMessages: seen.dataMessages,
    gaps: 0,
    duplicates: 0,
  };
}
