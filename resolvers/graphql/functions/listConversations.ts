import { util, type Context } from '@aws-appsync/utils';
import { toConversation } from '../lib/mapping.js';
import { pageLimit } from '../lib/validation.js';
import { raiseDataSourceError } from '../lib/data-source-error.js';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** The caller's conversations, newest first (DynamoDB Query on the caller's partition). */
export function request(ctx: Context<{ limit?: number | null; nextToken?: string | null }>) {
  return {
    operation: 'Query',
    query: { expression: 'userId = :sub', expressionValues: util.dynamodb.toMapValues({ ':sub': ctx.stash.userId }) },
    scanIndexForward: false,
    limit: pageLimit(ctx.args.limit, DEFAULT_PAGE, MAX_PAGE),
    nextToken: ctx.args.nextToken || undefined,
  };
}

export function response(ctx: Context) {
  if (ctx.error) raiseDataSourceError(ctx.error);
  const page = ctx.result as { items: Record<string, unknown>[]; nextToken: string | null };
  return { items: page.items.map((item) => toConversation(item)), nextToken: page.nextToken };
}
