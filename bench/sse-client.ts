/**
 * The OpenAI-compatible path: the same turn through `POST /v1/chat/completions` with
 * `stream: true`, sent with the `openai` npm client and the user's Cognito access token as
 * the bearer, measured from the moment the request is sent to the first delta received.
 */
import OpenAI from 'openai';
import type { ModelCallTimes } from './model-calls.js';
import { BENCH_MODEL_ID, checkAnswer, streamedTurnMeasurement, type TurnMeasurement, type TurnSpec } from './turn.js';

/**
 * @example
 * const measurement = await runSseTurn(twin.url, user.accessToken, spec, modelCalls.timesOf);
 */
export async function runSseTurn(
  twinUrl: string,
  accessToken: string,
  spec: TurnSpec,
  modelCallTimes: (prompt: string) => ModelCallTimes | undefined,
): Promise<TurnMeasurement> {
  const client = new OpenAI({ apiKey: accessToken, baseURL: `${twinUrl}/v1`, maxRetries: 0 });
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let text = '';
  let outputTokens = 0;
  let stopReason: string | undefined;
  let problem: string | undefined;
  let chunks = 0;
  try {
    const stream = await client.chat.completions.create({
      model: BENCH_MODEL_ID,
      messages: [{ role: 'user', content: spec.prompt }],
      max_tokens: spec.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        firstTokenAt ??= performance.now();
        text += delta;
        chunks += 1;
      }
      const finish = chunk.choices[0]?.finish_reason;
      if (finish) stopReason = finish === 'length' ? 'max_tokens' : 'end_turn';
      if (chunk.usage) outputTokens = chunk.usage.completion_tokens;
    }
    problem = checkAnswer(spec, { text, outputTokens, stopReason });
  } catch (error) {
    problem = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return streamedTurnMeasurement(spec, startedAt, { firstTokenAt, outputTokens, dataMessages: chunks, problem }, modelCallTimes);
}
