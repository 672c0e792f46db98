import { util, type Context } from '@aws-appsync/utils';

/** Live metric series (NONE data source); issue 5's EMF capture replaces this function. */
export function request(ctx: Context) {
  return { payload: { at: util.time.nowISO8601(), windowMinutes: ctx.stash.windowMinutes, series: [] } };
}

export function response(ctx: Context) {
  return ctx.result;
}
