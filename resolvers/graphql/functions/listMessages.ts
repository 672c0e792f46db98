import { util, type Context } from '@aws-appsync/utils';
import { toMessage } from '../lib/mapping.js';
import { pageLimit } from '../lib/validation.js';
import { raiseDataSourceError } from '../lib/data-source-error.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/**
 * A conversation's messages, oldest first (message ids are ULIDs). Conversation ids are
 * chosen by clients and the Messages table is keyed by them alone, so the caller's sub
 * filters the partition: two users who pick the same id never see each other's messages.
 */
export function request(ctx: Context<{ limit?: number | null; nextToken?: string | null }>) {
  return {
    operation: 'Query',
    query: { expression: 'conversationId = :c', expressionValues: util.dynamodb.toMapValues({ ':c': ctx.stash.conversationId }) },
    filter: { expression: 'userId = :sub', expressionValues: util.dynamodb.toMapValues({ ':sub': ctx.stash.userId }) },
    scanIndexForward: true,
    consistentRead: true,
    limit: pageLimit(ctx.args.limit, DEFAULT_PAGE, MAX_PAGE),
    nextToken: ctx.args.nextToken || undefined,
  };
}

export function response(ctx: Context) {
  if (ctx.error) raiseDataSourceError(ctx.error);
  const page = ctx.result as { items: Record<string, unknown>[]; nextToken: string | null };
  return { items: page.items.map((item) => toMessage(item)), nextToken: page.nextToken };
}
