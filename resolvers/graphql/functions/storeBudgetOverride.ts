import { util, type Context } from '@aws-appsync/utils';

/**
 * Stores or clears an override (NONE data source). The ledger of issue 5 owns where
 * overrides live and audits each change in the same transaction; until it replaces this
 * function the mutation says so plainly instead of pretending to store anything.
 */
export function request(_ctx: Context) {
  return util.error('Budget overrides are not stored yet: the usage ledger is not wired to GraphQL.', 'NotImplemented');
}

export function response(ctx: Context) {
  return ctx.result;
}
