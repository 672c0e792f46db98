import { countTokens } from './tokenizer.js';
import type { ConverseContentBlock, ConverseInput } from './types.js';

/** The text of a request as the simulator sees it. */
export interface PromptText {
  /** System blocks then messages, as [role, text] pairs: the prompt's identity. */
  turns: [string, string][];
  /** Text the simulator looks for directives in: system prompt and the last user message. */
  directiveText: string;
  /** Tokens of everything in the prompt. */
  inputTokens: number;
  /** Tokens before the last `cachePoint` (0 when there is none). */
  cachedPrefixTokens: number;
  /** The turns before the last `cachePoint`, or undefined when there is none. */
  cachedPrefix?: [string, string][];
}

/**
 * Flattens system and messages into text. Tool calls and results count as their JSON;
 * images, documents and other binary blocks count as no tokens.
 * @example
 * readPrompt({ messages: [{ role: 'user', content: [{ text: 'Hello there' }] }] }).inputTokens; // 2
 */
export function readPrompt(input: ConverseInput): PromptText {
  const turns: [string, string][] = [];
  let cacheBoundary = -1;
  const add = (role: string, blocks: ConverseContentBlock[] | undefined) => {
    for (const block of blocks ?? []) {
      if (block.cachePoint) cacheBoundary = turns.length;
      const text = blockText(block);
      if (text !== undefined) turns.push([role, text]);
    }
  };
  add('system', input.system);
  for (const message of input.messages ?? []) add(message.role ?? 'user', message.content);

  const lastUser = (input.messages ?? []).findLast((m) => m.role === 'user');
  const directiveText = [...(input.system ?? []), ...(lastUser?.content ?? [])].map((b) => b.text ?? '').join('\n');
  const tokensOf = (list: [string, string][]) => list.reduce((sum, [, text]) => sum + countTokens(text), 0);
  const cachedPrefix = cacheBoundary >= 0 ? turns.slice(0, cacheBoundary) : undefined;
  return {
    turns,
    directiveText,
    inputTokens: tokensOf(turns),
    cachedPrefixTokens: cachedPrefix ? tokensOf(cachedPrefix) : 0,
    ...(cachedPrefix ? { cachedPrefix } : {}),
  };
}

function blockText(block: ConverseContentBlock): string | undefined {
  if (typeof block.text === 'string') return block.text;
  if (block.toolUse) return `${block.toolUse.name ?? ''} ${JSON.stringify(block.toolUse.input ?? {})}`;
  if (block.toolResult) {
    return (block.toolResult.content ?? []).map((c) => (typeof c.text === 'string' ? c.text : JSON.stringify(c.json ?? null))).join('\n');
  }
  return undefined;
}
