import { util } from '@aws-appsync/utils';

/** The signed-in user a resolver acts for. */
export interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

/**
 * The Cognito caller of the request; any other identity (API key, IAM) is refused with
 * `Unauthorized`, because every Sluice user operation is scoped to a user's `sub`.
 *
 * @example
 * ```ts
 * const caller = cognitoCaller(ctx.identity);
 * ```
 */
export function cognitoCaller(identity: unknown): Caller {
  const id = identity as { sub?: string; username?: string; groups?: string[] | null } | null;
  if (!id || !id.sub) {
    util.unauthorized();
  }
  return { sub: id.sub, username: id.username || id.sub, groups: id.groups || [] };
}
