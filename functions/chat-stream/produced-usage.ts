import { CountTokensCommand, type BedrockRuntimeClient, type Message, type SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import type { StreamUsage } from '../../schema/stream-protocol.js';

/** A count that takes longer than this falls back to the estimate: the turn is waiting. */
const COUNT_TOKENS_TIMEOUT_IN_MS = 2_000;

/** Rough token count for text no tokenizer counted: about four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * What a cancelled or failed turn produced, when Bedrock sent no usage (an aborted stream
 * ends without its metadata event). Bedrock's CountTokens counts the prompt and the
 * streamed text exactly where the model supports it; elsewhere, or if it fails, the
 * larger of the deltas received and a character estimate is billed.
 */
export async function producedUsage(
  bedrock: Pick<BedrockRuntimeClient, 'send'>,
  turn: { modelId: string; messages: Message[]; system?: SystemContentBlock[]; streamedText: string; deltas: number },
): Promise<StreamUsage> {
  const count = async (messages: Message[], system?: SystemContentBlock[]): Promise<number | undefined> => {
    try {
      const result = await bedrock.send(new CountTokensCommand({ modelId: turn.modelId, input: { converse: { messages, system } } }), {
        abortSignal: AbortSignal.timeout(COUNT_TOKENS_TIMEOUT_IN_MS),
      });
      return result.inputTokens;
    } catch {
      return undefined;
    }
  };
  const promptText = [...(turn.system ?? []).map((block) => ('text' in block ? block.text : '')), ...turn.messages.flatMap((m) => (m.content ?? []).map((c) => c.text ?? ''))].join('\n');
  const [input, output] = await Promise.all([
    count(turn.messages, turn.system),
    turn.streamedText ? count([{ role: 'user', content: [{ text: turn.streamedText }] }]) : Promise.resolve(0),
  ]);
  return {
    inputTokens: input ?? estimateTokens(promptText),
    outputTokens: output ?? Math.max(turn.deltas, estimateTokens(turn.streamedText)),
  };
}
