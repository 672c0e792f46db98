/**
 * Resolver and handler testing without AWS: the twin's answer to AppSync's `EvaluateCode`.
 * Each evaluation bundles the file as the CDK stack does and runs it in a fresh APPSYNC_JS
 * sandbox. See docs/resolver-testing.md.
 */
import { loadAppSyncJsModule, type AppSyncJsModuleOptions } from '../../infra/appsync-js/index.js';
import type { AppSyncJsError, CallOutcome } from '../../infra/appsync-js/types.js';

/** The `sub` of the default caller; `makeContext().identity.sub`. */
export const DEFAULT_SUB = '11111111-2222-3333-4444-555555555555';
/** Issuer of the default caller's token (a Cognito user pool URL). */
export const DEFAULT_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_sluicelocal';

/** What an evaluation gave back, in `EvaluateCode`'s terms. */
export interface EvaluationResult {
  /** The return value, or the value passed to `runtime.earlyReturn`; undefined after an error. */
  result: unknown;
  /** From `util.error`, a runtime error (`errorType: 'Code'`) or `util.unauthorized()` (`errorType: 'Unauthorized'`). */
  error?: AppSyncJsError;
  /** `ctx.stash` after the call. */
  stash: Record<string, unknown>;
  /** `util.appendError` records (EvaluateCode's `outErrors`). */
  outErrors: AppSyncJsError[];
  /** `console.*` lines. */
  logs: string[];
  /** The full outcome, for `kind`, `skipTo`, `extensions` and `responseHeaders`. */
  outcome: CallOutcome;
}

/** Options of {@link evaluateResolver}: those of the runtime (clock, random, timeout, flavor). */
export type EvaluateOptions = AppSyncJsModuleOptions;

/**
 * Evaluates one function of a resolver, pipeline function or channel handler file.
 * Handlers named `onPublish`/`onSubscribe` run as Events code (no `extensions`) unless
 * `options.flavor` says otherwise.
 * @param entry - the file, relative to the repository root (as in infra/gateway.ts)
 * @param fn - `request`, `response`, `onPublish`, `onSubscribe`, `onPublish.request`, …
 * @example
 * ```ts
 * const { result, error } = await evaluateResolver('resolvers/graphql/getTurn.ts', 'request', makeContext({ arguments: { id: 't1' } }));
 * ```
 */
export async function evaluateResolver(
  entry: string,
  fn: string,
  ctx: object = makeContext(),
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const flavor = options.flavor ?? (/^on(Publish|Subscribe)\b/.test(fn) ? 'events' : 'graphql');
  const module = await loadAppSyncJsModule(entry, { ...options, flavor });
  const outcome = module.call(fn, ctx);
  return {
    result: outcome.kind === 'returned' || outcome.kind === 'earlyReturn' ? outcome.value : undefined,
    error: errorOf(outcome),
    stash: outcome.stash,
    outErrors: outcome.appendedErrors,
    logs: outcome.logs,
    outcome,
  };
}

function errorOf(outcome: CallOutcome): AppSyncJsError | undefined {
  if (outcome.kind === 'error') return outcome.error;
  if (outcome.kind === 'unauthorized') return { message: 'Unauthorized', errorType: 'Unauthorized' };
  return undefined;
}

/** A Cognito user as AppSync puts it in `ctx.identity`. */
export interface CognitoUser {
  sub?: string;
  username?: string;
  groups?: string[];
  email?: string;
}

/**
 * The `ctx.identity` of a Cognito User Pools caller, claims consistent with the fields.
 * @default alice, sub {@link DEFAULT_SUB}, group `users`
 * @example
 * ```ts
 * makeContext({ identity: cognitoIdentity({ username: 'root', groups: ['admins'] }) });
 * ```
 */
export function cognitoIdentity(user: CognitoUser = {}) {
  const { sub = DEFAULT_SUB, username = 'alice', groups = ['users'], email = `${username}@example.com` } = user;
  return {
    sub,
    issuer: DEFAULT_ISSUER,
    username,
    claims: {
      sub,
      iss: DEFAULT_ISSUER,
      'cognito:username': username,
      'cognito:groups': groups,
      email,
      token_use: 'id',
      auth_time: 1_700_000_000,
      exp: 1_700_003_600,
      iat: 1_700_000_000,
    },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups,
  };
}

/** The parts of a GraphQL resolver context a test usually sets. */
export interface ContextOverrides {
  arguments?: Record<string, unknown>;
  /** `null` for an API key caller; anything else replaces the default Cognito identity. */
  identity?: unknown;
  source?: unknown;
  stash?: Record<string, unknown>;
  prev?: { result: unknown };
  result?: unknown;
  error?: { message: string; type: string };
  info?: Partial<{ fieldName: string; parentTypeName: string; variables: Record<string, unknown>; selectionSetList: string[]; selectionSetGraphQL: string }>;
  request?: { headers?: Record<string, unknown>; domainName?: string | null };
  env?: Record<string, string>;
}

/**
 * A GraphQL resolver context with AppSync's shape: `arguments` (and `args`, the same object),
 * a Cognito caller, an empty stash, `prev`, `info` and `request` defaults.
 * @example
 * ```ts
 * const ctx = makeContext({ arguments: { id: 't1' }, info: { fieldName: 'getTurn' } });
 * ```
 */
export function makeContext(overrides: ContextOverrides = {}) {
  const args = overrides.arguments ?? {};
  const ctx: Record<string, unknown> = {
    arguments: args,
    args,
    identity: overrides.identity === undefined ? cognitoIdentity() : overrides.identity,
    source: overrides.source ?? null,
    stash: overrides.stash ?? {},
    prev: overrides.prev ?? { result: null },
    result: overrides.result ?? null,
    info: {
      fieldName: 'field',
      parentTypeName: 'Query',
      variables: {},
      selectionSetList: [],
      selectionSetGraphQL: '',
      ...overrides.info,
    },
    request: { headers: { 'content-type': 'application/json', ...overrides.request?.headers }, domainName: overrides.request?.domainName ?? null },
    env: overrides.env ?? {},
  };
  if (overrides.error) ctx.error = overrides.error;
  return ctx;
}

/** The parts of an Events handler context a test usually sets. */
export interface EventContextOverrides {
  /** Channel path, e.g. `/chat/<sub>/<conversation>`; its first segment is the namespace. */
  channel?: string;
  operation?: 'PUBLISH' | 'SUBSCRIBE';
  /** Payloads of the published events; ids are `event-0`, `event-1`, …. */
  payloads?: unknown[];
  identity?: unknown;
  stash?: Record<string, unknown>;
  result?: unknown;
  headers?: Record<string, unknown>;
}

/**
 * An Events handler context (protocol reference, section C): `info.channel`, the namespace,
 * the operation and, for PUBLISH, the events.
 * @example
 * ```ts
 * const ctx = makeEventContext({ channel: `/chat/${DEFAULT_SUB}/c1`, operation: 'SUBSCRIBE' });
 * ```
 */
export function makeEventContext(overrides: EventContextOverrides = {}) {
  const path = overrides.channel ?? `/chat/${DEFAULT_SUB}/conversation-1`;
  const segments = path.split('/').filter((segment) => segment.length > 0);
  const operation = overrides.operation ?? 'PUBLISH';
  const ctx: Record<string, unknown> = {
    identity: overrides.identity === undefined ? cognitoIdentity() : overrides.identity,
    result: overrides.result ?? null,
    stash: overrides.stash ?? {},
    error: null,
    request: { headers: { ...overrides.headers }, domainName: null },
    info: { channel: { path, segments }, channelNamespace: { name: segments[0] ?? '' }, operation },
  };
  if (operation === 'PUBLISH') {
    ctx.events = (overrides.payloads ?? [{}]).map((payload, index) => ({ id: `event-${index}`, payload }));
  }
  return ctx;
}

const UTIL_CALL_FIXTURE = 'test/fixtures/appsync-js/util-call.ts';

/**
 * Calls `util.<path>(...args)` inside a real sandbox and returns its result, or throws with
 * the APPSYNC_JS error message. Handy to check what a util member answers.
 * @example
 * ```ts
 * const callUtil = await sandboxUtil({ clock: () => 1517943695758 });
 * callUtil('time.nowISO8601'); // '2018-02-06T19:01:35.758Z'
 * ```
 */
export async function sandboxUtil(options: EvaluateOptions = {}): Promise<(path: string, ...args: unknown[]) => unknown> {
  const module = await loadAppSyncJsModule(UTIL_CALL_FIXTURE, options);
  return (path, ...args) => {
    const outcome = module.call('request', makeContext({ arguments: { path, args } }));
    if (outcome.kind !== 'returned') {
      throw new Error(outcome.kind === 'error' ? outcome.error.message : `util.${path} ended with ${outcome.kind}`);
    }
    return (outcome.value as { result?: unknown }).result;
  };
}
