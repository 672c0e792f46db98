import type { Context } from '@aws-appsync/utils';
import { allowedModels } from '../lib/policy.js';

/** The models the caller's groups allow, with prices, from the static config (NONE data source). */
export function request(ctx: Context) {
  return {
    payload: allowedModels(ctx.stash.groups as string[]).map((m) => ({
      id: m.id,
      label: m.label,
      provider: m.provider,
      maxOutputTokens: m.maxOutputTokens,
      price: {
        inputUsd: m.usdPerMillionTokens.input,
        outputUsd: m.usdPerMillionTokens.output,
        cacheReadUsd: m.usdPerMillionTokens.cacheRead,
        cacheWriteUsd: m.usdPerMillionTokens.cacheWrite,
      },
    })),
  };
}

export function response(ctx: Context) {
  return ctx.result;
}
