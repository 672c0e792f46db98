/**
 * A `POST /v1/chat/completions` body, checked and mapped onto what a Sluice turn takes:
 * system (and `developer`) messages become Converse's `system`, the conversation before the
 * last user message becomes the turn's history (consecutive messages of one role joined, as
 * Converse wants roles to alternate), and the last user message is the turn's prompt.
 * Every problem is listed in one refusal; nothing is written for a refused body.
 */
import { MAX_PROMPT_SIZE_IN_BYTES } from '../../schema/input-rules.js';

/** Most messages one request may carry. */
export const MAX_MESSAGES = 500;
/** Most bytes of text across all messages (the history is sent to the model every time). */
export const MAX_TOTAL_TEXT_BYTES = 512 * 1024;
/** Most stop sequences (OpenAI's limit is 4; Converse's is higher). */
export const MAX_STOP_SEQUENCES = 4;

export interface ChatCompletionTurn {
  modelId: string;
  system?: string;
  history: { role: 'user' | 'assistant'; text: string }[];
  prompt: string;
  /** null: not given, admission picks the default under the caller's policy. */
  maxTokens: number | null;
  inference: { temperature?: number; topP?: number; stopSequences?: string[] };
  stream: boolean;
  includeUsage: boolean;
  /** Every message's text, for admission's input estimate. */
  allText: string;
}

export type ParsedChatRequest = { ok: true; turn: ChatCompletionTurn } | { ok: false; problems: string[]; param?: string };

type Json = Record<string, unknown>;

/**
 * @example
 * const parsed = parseChatRequest(JSON.parse(body));
 * if (!parsed.ok) return badRequest(parsed.problems.join('; '));
 */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, problems: ['The body must be a JSON object.'] };
  const input = body as Json;
  const problems: string[] = [];
  let param: string | undefined;
  const refuse = (field: string, problem: string) => {
    problems.push(`${field}: ${problem}`);
    param ??= field;
  };

  const modelId = input.model;
  if (typeof modelId !== 'string' || modelId.length === 0 || modelId.length > 256) refuse('model', 'must be a model id (see GET /v1/models)');

  const maxTokens = input.max_completion_tokens ?? input.max_tokens ?? null;
  if (maxTokens !== null && !(Number.isSafeInteger(maxTokens) && (maxTokens as number) >= 1)) refuse(input.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens', 'must be a whole number of at least 1');

  const inference: ChatCompletionTurn['inference'] = {};
  if (input.temperature !== undefined && input.temperature !== null) {
    if (typeof input.temperature !== 'number' || !(input.temperature >= 0 && input.temperature <= 2)) refuse('temperature', 'must be a number from 0 to 2');
    // Converse's range is 0–1 for most models; OpenAI's is 0–2. Values above 1 are clamped, not refused.
    else inference.temperature = Math.min(1, input.temperature);
  }
  if (input.top_p !== undefined && input.top_p !== null) {
    if (typeof input.top_p !== 'number' || !(input.top_p >= 0 && input.top_p <= 1)) refuse('top_p', 'must be a number from 0 to 1');
    else inference.topP = input.top_p;
  }
  if (input.stop !== undefined && input.stop !== null) {
    const stop = typeof input.stop === 'string' ? [input.stop] : input.stop;
    if (!Array.isArray(stop) || stop.length > MAX_STOP_SEQUENCES || stop.some((s) => typeof s !== 'string' || s.length === 0 || s.length > 1000)) {
      refuse('stop', `must be a string or up to ${MAX_STOP_SEQUENCES} non-empty strings`);
    } else if (stop.length > 0) inference.stopSequences = stop as string[];
  }
  if (input.n !== undefined && input.n !== null && input.n !== 1) refuse('n', 'only 1 is supported');
  if (input.tools !== undefined && input.tools !== null) refuse('tools', 'tool calls are not supported');
  const stream = input.stream === true;
  if (input.stream !== undefined && input.stream !== null && typeof input.stream !== 'boolean') refuse('stream', 'must be true or false');
  const streamOptions = input.stream_options as Json | null | undefined;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions))) refuse('stream_options', 'must be an object');
  const includeUsage = stream && streamOptions?.include_usage === true;

  const messages = checkMessages(input.messages, refuse);
  if (problems.length > 0 || !messages) return { ok: false, problems, param };
  return {
    ok: true,
    turn: { modelId: modelId as string, maxTokens: maxTokens as number | null, inference, stream, includeUsage, ...messages },
  };
}

function checkMessages(
  value: unknown,
  refuse: (field: string, problem: string) => void,
): Pick<ChatCompletionTurn, 'system' | 'history' | 'prompt' | 'allText'> | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_MESSAGES) {
    refuse('messages', `must be an array of 1 to ${MAX_MESSAGES} messages`);
    return undefined;
  }
  const system: string[] = [];
  const turns: { role: 'user' | 'assistant'; text: string }[] = [];
  let totalBytes = 0;
  for (const [index, message] of value.entries()) {
    const field = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) {
      refuse(field, 'must be an object with a role and content');
      return undefined;
    }
    const { role, content } = message as Json;
    const text = contentText(content);
    if (text === undefined) {
      refuse(`${field}.content`, 'must be a string or an array of text parts');
      return undefined;
    }
    totalBytes += Buffer.byteLength(text, 'utf8');
    if (role === 'system' || role === 'developer') system.push(text);
    else if (role === 'user' || role === 'assistant') {
      const last = turns[turns.length - 1];
      if (last?.role === role) last.text += `\n\n${text}`;
      else turns.push({ role, text });
    } else {
      refuse(`${field}.role`, 'must be system, developer, user or assistant');
      return undefined;
    }
  }
  if (totalBytes > MAX_TOTAL_TEXT_BYTES) {
    refuse('messages', `hold more than ${MAX_TOTAL_TEXT_BYTES} bytes of text`);
    return undefined;
  }
  const last = turns.pop();
  if (!last || last.role !== 'user' || last.text.trim().length === 0) {
    refuse('messages', 'must end with a non-empty user message');
    return undefined;
  }
  if (Buffer.byteLength(last.text, 'utf8') > MAX_PROMPT_SIZE_IN_BYTES) {
    refuse('messages', `the last user message is over ${MAX_PROMPT_SIZE_IN_BYTES} bytes`);
    return undefined;
  }
  if (turns.length > 0 && turns[0].role !== 'user') {
    refuse('messages', 'the conversation must start with a user message (after any system messages)');
    return undefined;
  }
  const allText = [...system, ...turns.map((t) => t.text), last.text].join('\n');
  return { ...(system.length > 0 ? { system: system.join('\n\n') } : {}), history: turns, prompt: last.text, allText };
}

/** A message's text: a string, or OpenAI's array of `{ type: 'text', text }` parts. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    const p = part as Json | null;
    if (!p || p.type !== 'text' || typeof p.text !== 'string') return undefined;
    parts.push(p.text);
  }
  return parts.join('');
}
