/**
 * The baseline: the same turn sent straight to the Bedrock twin with the Bedrock SDK, no
 * gateway in between. Its first-token time and throughput are what the simulator's pace
 * and this machine allow; the gateway's figures are reported as ratios against it.
 */
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { bedrockClientConfig } from '../infra/local/bedrock/index.js';
import type { ModelCallTimes } from './model-calls.js';
import { BENCH_MODEL_ID, checkAnswer, streamedTurnMeasurement, type TurnMeasurement, type TurnSpec } from './turn.js';

/**
 * One SDK client for every baseline turn, as the streaming Lambda keeps one per process.
 * @example
 * const client = directClient(twin.context.bedrockEndpoint);
 */
export function directClient(endpoint: string): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ ...bedrockClientConfig(endpoint), maxAttempts: 1 });
}

/**
 * Streams one turn with ConverseStream and measures it from the moment the request is sent;
 * `modelCallTimes` tells when the simulator received it and sent its first token.
 * @example
 * const measurement = await runDirectTurn(client, spec, modelCalls.timesOf);
 */
export async function runDirectTurn(
  client: BedrockRuntimeClient,
  spec: TurnSpec,
  modelCallTimes: (prompt: string) => ModelCallTimes | undefined,
): Promise<TurnMeasurement> {
  const startedAt = performance.now();
  let firstTokenAt: number | undefined;
  let text = '';
  let outputTokens = 0;
  let stopReason: string | undefined;
  let problem: string | undefined;
  try {
    const response = await client.send(
      new ConverseStreamCommand({ modelId: BENCH_MODEL_ID, messages: [{ role: 'user', content: [{ text: spec.prompt }] }], inferenceConfig: { maxTokens: spec.maxTokens } }),
    );
    for await (const item of response.stream ?? []) {
      const delta = item.contentBlockDelta?.delta?.text;
      if (delta) {
        firstTokenAt ??= performance.now();
        text += delta;
      }
      if (item.messageStop?.stopReason) stopReason = item.messageStop.stopReason;
      if (item.metadata?.usage) outputTokens = item.metadata.usage.outputTokens ?? 0;
    }
    problem = checkAnswer(spec, { text, outputTokens, stopReason });
  } catch (error) {
    problem = `${(error as Error).name}: ${(error as Error).message}`;
  }
  return streamedTurnMeasurement(spec, startedAt, { firstTokenAt, outputTokens, dataMessages: 0, problem }, modelCallTimes);
}
