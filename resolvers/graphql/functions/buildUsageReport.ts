import type { Context } from '@aws-appsync/utils';

/**
 * The usage report (NONE data source). It reads no ledger yet: the ledger of issue 5
 * replaces this function with one that queries it, keeping the field's shape.
 */
export function request(ctx: Context<{ groupBy: string }>) {
  const range = ctx.stash.range as { from: string; to: string };
  return { payload: { from: range.from, to: range.to, groupBy: ctx.args.groupBy, rows: [], totalUsd: 0 } };
}

export function response(ctx: Context) {
  return ctx.result;
}
