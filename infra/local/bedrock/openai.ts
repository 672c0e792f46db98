import type { ConverseResponseBody } from './converse.js';
import { BedrockTwinError } from './errors.js';
import { encodeEvent, encodeException, STREAM_EVENT } from './eventstream.js';
import { BEDROCK_ERROR, STOP_REASON, type ConverseInput, type SimulatedStopReason } from './types.js';

/** Receives the translated stream; `start` runs once the upstream server has accepted the request. */
export interface ForwardSink {
  start(): void;
  frame(frame: Uint8Array): void;
}

interface ChatChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

const STOP_REASONS: Record<string, SimulatedStopReason> = { stop: STOP_REASON.END_TURN, length: STOP_REASON.MAX_TOKENS };

/**
 * Answers a Converse request with a real local model behind an OpenAI-compatible
 * `/v1/chat/completions` endpoint (Ollama, llama.cpp, vLLM), translating its SSE stream
 * into ConverseStream frames. Text only; the model name is `SLUICE_OPENAI_MODEL` or the
 * Bedrock model id. Usage is what the upstream server reports (0 if it reports none).
 * @example
 * const body = await forwardToOpenAi('http://127.0.0.1:11434/v1', input, signal);
 */
export async function forwardToOpenAi(baseUrl: string, input: ConverseInput, signal: AbortSignal, sink?: ForwardSink): Promise<ConverseResponseBody> {
  const startedAt = performance.now();
  const url = `${baseUrl.replace(/\/+$/, '').replace(/(?<!\/v1)$/, '/v1')}/chat/completions`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatRequest(input)), signal }).catch(
    (error: unknown) => {
      throw new BedrockTwinError(BEDROCK_ERROR.SERVICE_UNAVAILABLE, `The OpenAI-compatible server at ${url} is unreachable.`, { cause: error });
    },
  );
  if (!response.ok || !response.body) {
    const name = response.status === 429 ? BEDROCK_ERROR.THROTTLING : response.status < 500 ? BEDROCK_ERROR.VALIDATION : BEDROCK_ERROR.SERVICE_UNAVAILABLE;
    throw new BedrockTwinError(name, `Upstream ${response.status}: ${(await response.text()).slice(0, 500)}`);
  }
  sink?.start();
  sink?.frame(encodeEvent(STREAM_EVENT.MESSAGE_START, { role: 'assistant' }, 8));
  let text = '';
  let stopReason: SimulatedStopReason = STOP_REASON.END_TURN;
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  try {
    for await (const chunk of serverSentEvents(response.body)) {
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) {
        text += choice.delta.content;
        sink?.frame(encodeEvent(STREAM_EVENT.CONTENT_BLOCK_DELTA, { contentBlockIndex: 0, delta: { text: choice.delta.content } }, 8));
      }
      if (choice?.finish_reason) stopReason = STOP_REASONS[choice.finish_reason] ?? STOP_REASON.END_TURN;
      if (chunk.usage) {
        usage.inputTokens = chunk.usage.prompt_tokens ?? 0;
        usage.outputTokens = chunk.usage.completion_tokens ?? 0;
        usage.totalTokens = usage.inputTokens + usage.outputTokens;
      }
    }
  } catch (error) {
    if (!sink || signal.aborted) throw error;
    sink.frame(encodeException(new BedrockTwinError(BEDROCK_ERROR.MODEL_STREAM_ERROR, 'The upstream model stream broke.', { cause: error })));
    return responseBody(text, stopReason, usage, startedAt);
  }
  const body = responseBody(text, stopReason, usage, startedAt);
  sink?.frame(encodeEvent(STREAM_EVENT.CONTENT_BLOCK_STOP, { contentBlockIndex: 0 }, 8));
  sink?.frame(encodeEvent(STREAM_EVENT.MESSAGE_STOP, { stopReason }, 8));
  sink?.frame(encodeEvent(STREAM_EVENT.METADATA, { usage, metrics: body.metrics }, 8));
  return body;
}

function chatRequest(input: ConverseInput): Record<string, unknown> {
  const flatten = (blocks: { text?: string }[] | undefined) => (blocks ?? []).map((b) => b.text ?? '').join('\n');
  const system = flatten(input.system);
  return {
    model: process.env.SLUICE_OPENAI_MODEL ?? input.modelId,
    messages: [...(system ? [{ role: 'system', content: system }] : []), ...(input.messages ?? []).map((m) => ({ role: m.role, content: flatten(m.content) }))],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: input.inferenceConfig?.maxTokens,
    temperature: input.inferenceConfig?.temperature,
    top_p: input.inferenceConfig?.topP,
    stop: input.inferenceConfig?.stopSequences,
  };
}

async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ChatChunk> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const data = line.startsWith('data:') ? line.slice(5).trim() : '';
      if (data && data !== '[DONE]') yield JSON.parse(data) as ChatChunk;
    }
  }
}

function responseBody(text: string, stopReason: SimulatedStopReason, usage: ConverseResponseBody['usage'], startedAt: number): ConverseResponseBody {
  return {
    output: { message: { role: 'assistant', content: text ? [{ text }] : [] } },
    stopReason,
    usage,
    metrics: { latencyMs: Math.round(performance.now() - startedAt) },
  };
}
