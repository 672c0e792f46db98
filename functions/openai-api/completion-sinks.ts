/**
 * Where a turn's answer goes on the OpenAI-compatible API (the TurnSink of
 * functions/chat-stream/run-turn.ts): server-sent `chat.completion.chunk` events as the
 * model produces text, or one `chat.completion` when the client asked for no stream.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import type { TurnSink } from '../chat-stream/run-turn.js';
import type { EndEvent, ErrorEvent, StopReason, StreamUsage } from '../../schema/stream-protocol.js';
import { endWith, openResponse, sendError, sendJson, type ResponseStream } from './http-response.js';
import { openAiError, type OpenAiError } from './openai-errors.js';

/** What every completion of one request shares. */
export interface CompletionMeta {
  id: string;
  model: string;
  /** Epoch seconds. */
  created: number;
  /** Response headers: rate limits, budget, request id. */
  headers: Record<string, string>;
}

type End = Omit<EndEvent, 'type' | 'seq' | 'requestId'>;
type Failure = Omit<ErrorEvent, 'type' | 'seq' | 'requestId'>;

/** OpenAI's `finish_reason` for Converse's stop reason. */
export function finishReason(stop: StopReason | undefined): 'stop' | 'length' | 'content_filter' | 'tool_calls' {
  if (stop === 'max_tokens') return 'length';
  if (stop === 'content_filtered' || stop === 'guardrail_intervened') return 'content_filter';
  if (stop === 'tool_use') return 'tool_calls';
  return 'stop';
}

export function openAiUsage(usage: StreamUsage) {
  const prompt = usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.outputTokens,
    total_tokens: prompt + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadInputTokens ?? 0 },
  };
}

/** A model failure after admission, as an HTTP error. */
function failureError(failure: Failure): OpenAiError {
  if (failure.code === 'Throttled' || failure.code === 'ServiceUnavailable' || failure.code === 'ModelUnavailable') {
    return openAiError(503, 'server_error', 'model_unavailable', failure.message, { retryAfterSeconds: 1 });
  }
  if (failure.code === 'ValidationError') return openAiError(400, 'invalid_request_error', 'model_refused', failure.message);
  return openAiError(502, 'server_error', 'model_error', failure.message);
}

/** Server-sent events: the headers at `start`, a chunk per delta (no batching), `[DONE]` at the end. */
export class SseCompletionSink implements TurnSink {
  readonly publishCount = 0;
  // No Events sequence: an interrupted API turn has no channel subscribers to resume.
  readonly nextSeq = 0;
  readonly failure = undefined;
  #stream: ResponseStream;
  #response: ResponseStream | undefined;
  #text = '';

  constructor(
    stream: ResponseStream,
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {
    this.#stream = stream;
  }

  get streamedText(): string {
    return this.#text;
  }

  start(): void {
    this.#response = openResponse(this.#stream, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...this.meta.headers });
    this.#send({ role: 'assistant', content: '' }, null);
  }

  delta(text: string): void {
    if (!text) return;
    this.#text += text;
    this.#send({ content: text }, null);
  }

  async flush(): Promise<void> {}

  async end(event: End): Promise<void> {
    this.#send({}, finishReason(event.stopReason));
    if (this.includeUsage) this.#write({ ...this.#chunkBase(), choices: [], usage: openAiUsage(event.usage) });
    await endWith(this.#response!, 'data: [DONE]\n\n');
  }

  /** A failure after the stream began: an `error` event, as OpenAI's streams report one. */
  async error(event: Failure): Promise<void> {
    this.#write(failureError(event).body);
    await endWith(this.#response!, 'data: [DONE]\n\n');
  }

  #chunkBase() {
    return { id: this.meta.id, object: 'chat.completion.chunk', created: this.meta.created, model: this.meta.model };
  }

  #send(delta: Record<string, string>, finish: string | null): void {
    this.#write({ ...this.#chunkBase(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  #write(payload: unknown): void {
    const response = this.#response;
    if (!response || response.destroyed || response.writableEnded) return;
    response.write(`data: ${JSON.stringify(payload)}\n\n`);
  }
}

/** One `chat.completion` JSON, sent when the turn ends. */
export class JsonCompletionSink implements TurnSink {
  readonly publishCount = 0;
  // No Events sequence: an interrupted API turn has no channel subscribers to resume.
  readonly nextSeq = 0;
  readonly failure = undefined;
  #text = '';

  constructor(
    private readonly stream: ResponseStream,
    private readonly meta: CompletionMeta,
  ) {}

  get streamedText(): string {
    return this.#text;
  }

  start(): void {}

  delta(text: string): void {
    this.#text += text;
  }

  async flush(): Promise<void> {}

  async end(event: End): Promise<void> {
    await sendJson(
      this.stream,
      200,
      {
        id: this.meta.id,
        object: 'chat.completion',
        created: this.meta.created,
        model: this.meta.model,
        choices: [{ index: 0, message: { role: 'assistant', content: this.#text, refusal: null }, logprobs: null, finish_reason: finishReason(event.stopReason) }],
        usage: openAiUsage(event.usage),
      },
      this.meta.headers,
    );
  }

  async error(event: Failure): Promise<void> {
    await sendError(this.stream, failureError(event), this.meta.headers);
  }
}
