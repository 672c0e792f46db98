/**
 * Types shared by the APPSYNC_JS runtime of the twin, the code that runs inside its sandbox,
 * and the hosts that call it (Events channel handlers, GraphQL pipelines, tests).
 */

/** Which AppSync API runs the code: `extensions` exists for GraphQL only. */
export const AppSyncJsFlavor = {
  GRAPHQL: 'graphql',
  EVENTS: 'events',
} as const;
export type AppSyncJsFlavor = (typeof AppSyncJsFlavor)[keyof typeof AppSyncJsFlavor];

/** An error as AppSync carries it: from `util.error`, `util.appendError` or a runtime failure. */
export interface AppSyncJsError {
  message: string;
  /** `util.error`'s second argument; `Code` for a runtime error (as AppSync reports it). */
  errorType?: string;
  data?: unknown;
  errorInfo?: unknown;
}

/** `errorType` AppSync gives a runtime error in APPSYNC_JS code (e.g. a TypeError). */
export const CODE_ERROR_TYPE = 'Code';

/** What the `extensions` calls of one invocation asked for (GraphQL only). */
export interface ExtensionCalls {
  /** Last `extensions.setSubscriptionFilter` argument. */
  subscriptionFilter?: unknown;
  /** Last `extensions.setSubscriptionInvalidationFilter` argument. */
  subscriptionInvalidationFilter?: unknown;
  /** Every `extensions.invalidateSubscriptions` call, in order. */
  invalidations: { subscriptionField: string; payload: unknown }[];
  /** Every `extensions.evictFromApiCache` call, in order. */
  cacheEvictions: { typeName: string; fieldName: string; keys: unknown }[];
}

/** Side effects of one call, whatever its outcome. */
export interface CallEffects {
  /** `ctx.stash` after the call (also written back into the caller's `ctx.stash`). */
  stash: Record<string, unknown>;
  /** Errors recorded by `util.appendError`, in order. */
  appendedErrors: AppSyncJsError[];
  extensions: ExtensionCalls;
  /** Headers set with `util.http.addResponseHeader(s)`. */
  responseHeaders: Record<string, unknown>;
  /** `console.*` lines, as CloudWatch would show them. */
  logs: string[];
}

/** How a handler ended: it returned, returned early, failed, or refused the caller. */
export type CallEnding =
  | { kind: 'returned'; value: unknown }
  | { kind: 'earlyReturn'; value: unknown; skipTo?: 'END' | 'NEXT' }
  | { kind: 'error'; error: AppSyncJsError }
  | { kind: 'unauthorized' };

/** How one call of an exported function ended, with its effects. Values are plain JSON (copied out of the sandbox). */
export type CallOutcome = CallEnding & CallEffects;

/** The reply the sandbox sends back for one call, as JSON text; the host adds the logs. */
export type SandboxReply = CallEnding & Omit<CallEffects, 'logs'>;
