/**
 * Emails of Cognito users by `sub`, for the admin views (usage reports, top users, the
 * audit trail), which would otherwise show only opaque subs. Looked up in the user pool
 * with `ListUsers` and a `sub = "…"` filter (a sub is not a username, so AdminGetUser
 * cannot find it), and cached for the life of the Lambda container.
 *
 * A lookup never fails a report: a user the pool does not know, a throttled or failed
 * call, or a host without `USER_POOL_ID` all give `null`, and the admin sees the sub.
 */
import { CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';

/** Finds users' emails by Cognito `sub`. */
export interface UserDirectory {
  /** Email of each sub (null when unknown or the lookup failed); never rejects. */
  emailsOf(subs: readonly string[]): Promise<Map<string, string | null>>;
}

/** Where a lookup's failures are reported. */
export type DirectoryLogger = { warn(message: string, ...extra: unknown[]): void };

export interface CognitoUserDirectoryOptions {
  userPoolId: string;
  /** @default a client for the Region of the environment */
  client?: Pick<CognitoIdentityProviderClient, 'send'>;
  /** @default console */
  logger?: DirectoryLogger;
  /** Longest one ListUsers call may take before its email counts as unknown. @default LOOKUP_TIMEOUT_IN_MS */
  timeoutMs?: number;
}

/** ListUsers calls in flight at once: the API's default quota is 30 requests a second per account. */
export const MAX_CONCURRENT_LOOKUPS = 4;
/**
 * Uncached subs one call looks up; the rest come back null (the admin sees their subs) so a
 * report over thousands of new users never waits minutes on ListUsers' quota.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
 */
export const MAX_LOOKUPS_PER_CALL = 200;
/** Per ListUsers call. */
export const LOOKUP_TIMEOUT_IN_MS = 2_000;
/** Subs kept per container; the oldest go first. */
export const MAX_CACHED_USERS = 10_000;

/** A directory that knows nobody: every email is null (a host without a user pool). */
export const NO_USER_DIRECTORY: UserDirectory = {
  async emailsOf(subs) {
    return new Map(subs.map((sub) => [sub, null]));
  },
};

/**
 * A directory backed by a Cognito user pool, cached per container. Failed lookups are not
 * cached, so the next report tries again.
 * @example
 * const directory = cognitoUserDirectory({ userPoolId: 'us-east-1_abc' });
 * const emails = await directory.emailsOf(rows.map((row) => row.key));
 */
export function cognitoUserDirectory(options: CognitoUserDirectoryOptions): UserDirectory {
  const client = options.client ?? new CognitoIdentityProviderClient({});
  const logger = options.logger ?? console;
  const timeoutMs = options.timeoutMs ?? LOOKUP_TIMEOUT_IN_MS;
  const cache = new Map<string, string | null>();
  let warnedAboutCap = false;

  async function lookUp(sub: string): Promise<{ found: boolean; email: string | null }> {
    // A filter value cannot carry a quote or backslash; no Cognito sub has one.
    if (sub.includes('"') || sub.includes('\\')) return { found: true, email: null };
    try {
      const page = await client.send(
        new ListUsersCommand({ UserPoolId: options.userPoolId, Filter: `sub = "${sub}"`, Limit: 1 }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      const user = page.Users?.[0];
      const email = user?.Attributes?.find((attribute) => attribute.Name === 'email')?.Value ?? null;
      return { found: true, email };
    } catch (error) {
      logger.warn('user pool lookup failed; the report shows the sub instead of an email', { sub, error: (error as Error).message });
      return { found: false, email: null };
    }
  }

  return {
    async emailsOf(subs) {
      const unique = [...new Set(subs)];
      const missing = unique.filter((sub) => !cache.has(sub));
      if (missing.length > MAX_LOOKUPS_PER_CALL && !warnedAboutCap) {
        warnedAboutCap = true;
        logger.warn(`more than ${MAX_LOOKUPS_PER_CALL} unknown users in one report; the rest show their subs`, { unknownUsers: missing.length });
      }
      const queue = missing.slice(0, MAX_LOOKUPS_PER_CALL);
      const fresh = new Map<string, string | null>();
      const worker = async () => {
        for (let sub = queue.shift(); sub !== undefined; sub = queue.shift()) {
          const { found, email } = await lookUp(sub);
          fresh.set(sub, email);
          if (found) remember(sub, email);
        }
      };
      await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_LOOKUPS, queue.length) }, worker));
      return new Map(unique.map((sub) => [sub, cache.get(sub) ?? fresh.get(sub) ?? null]));
    },
  };

  function remember(sub: string, email: string | null): void {
    if (cache.size >= MAX_CACHED_USERS) cache.delete(cache.keys().next().value as string);
    cache.set(sub, email);
  }
}

/**
 * The directory a Lambda host configures: the pool at `USER_POOL_ID`, through cognito-local
 * at `SLUICE_COGNITO_ENDPOINT` on the twin; none without `USER_POOL_ID`.
 * @example
 * const directory = userDirectoryFromEnv();
 */
export function userDirectoryFromEnv(env: NodeJS.ProcessEnv = process.env, logger?: DirectoryLogger): UserDirectory {
  const userPoolId = env.USER_POOL_ID;
  if (!userPoolId) return NO_USER_DIRECTORY;
  const endpoint = env.SLUICE_COGNITO_ENDPOINT;
  const client = new CognitoIdentityProviderClient(endpoint ? { endpoint } : {});
  return cognitoUserDirectory({ userPoolId, client, logger });
}
