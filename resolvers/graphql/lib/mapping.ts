/** A ChatRequests item's status as the ChatTurnStatus enum spells it. */
export function turnStatus(stored: string): string {
  if (stored === 'streaming') return 'STREAMING';
  if (stored === 'completed') return 'COMPLETE';
  if (stored === 'cancelled') return 'CANCELLED';
  // Undelivered: the answer exists (in the conversation) but its live stream failed.
  if (stored === 'failed' || stored === 'undelivered') return 'FAILED';
  return 'PENDING';
}

/** A Conversations item as the Conversation type. */
export function toConversation(item: Record<string, unknown>) {
  return {
    id: item.conversationId,
    title: item.title ?? null,
    modelId: item.modelId ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt ?? item.createdAt,
    // Conversations stored before the OpenAI-compatible API existed came from the chat.
    kind: item.kind === 'api' ? 'API' : 'CHAT',
  };
}

/** A Messages item as the Message type (stored enums are lower case). */
export function toMessage(item: Record<string, unknown>) {
  const usage = item.usage as Record<string, number> | null | undefined;
  return {
    id: item.messageId,
    conversationId: item.conversationId,
    requestId: item.requestId ?? null,
    role: String(item.role).toUpperCase(),
    text: item.text ?? '',
    status: String(item.status || 'complete').toUpperCase(),
    modelId: item.modelId ?? null,
    stopReason: item.stopReason ?? null,
    usage: usage
      ? {
          inputTokens: usage.inputTokens || 0,
          outputTokens: usage.outputTokens || 0,
          cacheReadTokens: usage.cacheReadInputTokens ?? null,
          cacheWriteTokens: usage.cacheWriteInputTokens ?? null,
        }
      : null,
    costUsd: item.costUsd ?? null,
    createdAt: item.createdAt,
  };
}
