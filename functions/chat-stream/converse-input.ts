import type { ConverseStreamCommandInput, Message } from '@aws-sdk/client-bedrock-runtime';
import type { ConversationStore, StoredMessage } from '../shared/conversation-store.js';
import { invocationModelId } from '../shared/model-invocation.js';
import type { ChatTurnRequest } from '../../schema/stream-protocol.js';

/** A message of the conversation so far, as the model is sent it. */
export type PriorMessage = Pick<StoredMessage, 'role' | 'text'>;

/**
 * The turn's earlier messages: the ones its request carries (the OpenAI-compatible API), none
 * for a conversation this turn creates, else the stored ones. Never rejects unobserved.
 */
export function conversationHistory(request: ChatTurnRequest, store: Pick<ConversationStore, 'history'>): Promise<PriorMessage[]> {
  const history: Promise<PriorMessage[]> =
    request.history !== undefined ? Promise.resolve(request.history) : request.newConversation ? Promise.resolve([]) : store.history(request.conversationId, request.userId);
  history.catch(() => undefined);
  return history;
}

/**
 * The ConverseStream request of a turn: its history, then its prompt. In `region`, a catalogue
 * model that runs there only through an inference profile is called by the profile's id.
 */
export function converseInput(request: ChatTurnRequest, priorMessages: PriorMessage[], region: string | undefined): ConverseStreamCommandInput {
  return {
    modelId: region ? invocationModelId(request.modelId, region) : request.modelId,
    messages: [...toBedrockMessages(priorMessages), { role: 'user', content: [{ text: request.prompt }] }],
    inferenceConfig: { maxTokens: request.maxTokens, ...request.inference },
    ...(request.system ? { system: [{ text: request.system }] } : {}),
  };
}

/** Stored turns as Bedrock messages: complete user/assistant pairs only, roles alternating. */
function toBedrockMessages(history: PriorMessage[]): Message[] {
  const messages: Message[] = [];
  for (const message of history) {
    if (!message.text) continue;
    const last = messages[messages.length - 1];
    if (last?.role === message.role) continue;
    messages.push({ role: message.role, content: [{ text: message.text }] });
  }
  while (messages.length && messages[0].role !== 'user') messages.shift();
  if (messages.length && messages[messages.length - 1].role === 'user') messages.pop();
  return messages;
}
