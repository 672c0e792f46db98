/**
 * What the gateway API Lambda's actions take and return: the field's call as the resolver
 * sends it, and a result or a typed failure the resolver raises with its errorType.
 */
import type { LedgerDeps } from '../shared/ledger/index.js';
import type { MetricsSource } from './metrics-source.js';
import type { UserDirectory } from './user-directory.js';
import type { TurnTables } from '../shared/turn-record.js';

/** Who is calling, as the resolver read it from `ctx.identity`. */
export interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

/** One call: the GraphQL field name, the caller, the field's arguments and the pipeline's stash. */
export interface GatewayAction {
  action: string;
  caller: Caller;
  args: Record<string, unknown>;
  stash?: Record<string, unknown>;
}

/** A failure the resolver raises with `util.error(message, errorType, null, errorInfo)`. */
export interface ActionError {
  error: { errorType: string; message: string; errorInfo: Record<string, unknown> };
}

export type ActionResult = { result: unknown } | ActionError;

/** What the actions use; the handler builds them once per container. */
export interface ActionDeps {
  ledger: LedgerDeps;
  metrics: MetricsSource;
  /** Users' emails for the admin views. */
  users: UserDirectory;
  /**
   * The ChatRequests, Conversations and Messages tables, where `admit` records a turn that
   * asks for it (a new conversation's absence, a request recorded before). Unset: such a call fails.
   */
  turnTables?: TurnTables;
}

export type Action = (deps: ActionDeps, input: GatewayAction) => Promise<ActionResult>;

/**
 * A typed refusal (`{ code, message, …fields }`) as an action's failure; the fields become errorInfo.
 * @example
 * if (!outcome.ok) return failure(outcome.error);
 */
export function failure(details: { code: string; message: string }): ActionError {
  const { code, message, ...errorInfo } = details as { code: string; message: string } & Record<string, unknown>;
  return { error: { errorType: code, message, errorInfo } };
}
