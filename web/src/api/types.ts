/** The shapes the GraphQL operations in ./operations.ts return (schema/schema.graphql). */

export interface ModelPrice {
  inputUsd: number;
  outputUsd: number;
  cacheReadUsd: number;
  cacheWriteUsd: number;
}

export interface Model {
  id: string;
  label: string;
  provider: string;
  maxOutputTokens: number;
  price: ModelPrice;
}

export interface UsagePeriod {
  startsAt: string;
  resetsAt: string;
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number | null;
  remainingUsd: number | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Usage {
  day: UsagePeriod;
  month: UsagePeriod;
}

export interface ConversationSummary {
  id: string;
  title: string | null;
  modelId: string | null;
  createdAt: string;
  updatedAt: string;
}

export const MessageStatus = { COMPLETE: 'COMPLETE', INCOMPLETE: 'INCOMPLETE', STREAMING: 'STREAMING' } as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

export interface Message {
  id: string;
  conversationId: string;
  requestId: string | null;
  role: 'USER' | 'ASSISTANT';
  text: string;
  status: MessageStatus;
  modelId: string | null;
  stopReason: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  costUsd: number | null;
  createdAt: string;
}

export interface Conversation extends ConversationSummary {
  messages: { items: Message[]; nextToken: string | null };
}

export interface ChatTurn {
  requestId: string;
  conversationId: string;
  channel: string;
  modelId: string;
  status: 'PENDING' | 'STREAMING' | 'COMPLETE' | 'CANCELLED' | 'FAILED';
  createdAt: string;
}

export const UsageGroupBy = { USER: 'USER', MODEL: 'MODEL', DAY: 'DAY' } as const;
export type UsageGroupBy = (typeof UsageGroupBy)[keyof typeof UsageGroupBy];

export interface UsageRow {
  key: string;
  userId: string | null;
  email: string | null;
  modelId: string | null;
  day: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** Of those, the requests through the OpenAI-compatible API and their cost. */
  apiRequests: number;
  apiCostUsd: number;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  /** The one user the report covers, or null for every user. */
  userId: string | null;
  totalUsd: number;
  rows: UsageRow[];
}

export interface UserUsage {
  userId: string;
  email: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface BudgetOverrideInput {
  dailyLimitUsd?: number | null;
  monthlyLimitUsd?: number | null;
  maxOutputTokens?: number | null;
  requestsPerMinute?: number | null;
  allowedModels?: string[] | null;
  expiresAt?: string | null;
  reason?: string | null;
}

export interface BudgetOverride extends BudgetOverrideInput {
  userId: string;
  /** The admin who set it: their email when known. */
  updatedBy: string;
  updatedAt: string;
  /** False once `expiresAt` has passed: the user's groups decide again. */
  active: boolean;
}

export interface AuditEntry {
  id: string;
  at: string;
  /** The admin who acted: their email when known. */
  actor: string;
  action: string;
  /** Cognito sub of the user the action was about. */
  target: string | null;
  targetEmail: string | null;
  /** AWSJSON `{ before, after }`: a JSON string (or already parsed, depending on the client). */
  details: string | Record<string, unknown> | null;
}

export interface AuditLogConnection {
  items: AuditEntry[];
  nextToken: string | null;
}

export interface MetricSeries {
  name: string;
  unit: string;
  /** AWSJSON: a JSON string (or already parsed, depending on the client). */
  dimensions: string | Record<string, string> | null;
  points: { at: string; value: number }[];
}

export interface LiveMetrics {
  at: string;
  windowMinutes: number;
  series: MetricSeries[];
}

/** An API key as `myApiKeys` lists it: never the secret. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  dailyLimitUsd: number | null;
  usedTodayUsd: number;
  active: boolean;
}
