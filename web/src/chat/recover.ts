import { graphql } from '../api/client.js';
import { CONVERSATION, type Conversation, type Message } from '../api/operations.js';

/** How many messages a conversation view loads (the schema pages them). */
export const CONVERSATION_PAGE_SIZE = 200;

/** Loads one conversation with its messages; null when it does not exist (yet). */
export async function loadConversation(id: string): Promise<Conversation | null> {
  const { conversation } = await graphql(CONVERSATION, { id, limit: CONVERSATION_PAGE_SIZE });
  return conversation;
}

/**
 * The stored assistant message of one turn once it is final (not STREAMING), or
 * undefined while it is still streaming or not written yet. This is how a client that
 * missed the stream's `end` (dropped connection, a gap) gets the exact final text.
 */
export async function finalAssistantMessage(conversationId: string, requestId: string): Promise<Message | undefined> {
  const conversation = await loadConversation(conversationId);
  const message = conversation?.messages.items.find((m) => m.role === 'ASSISTANT' && m.requestId === requestId);
  return message && message.status !== 'STREAMING' ? message : undefined;
}
