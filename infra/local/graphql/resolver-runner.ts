import type { DataSource, PipelineFunction } from '../../gateway.js';
import type { AppSyncJsError, CallOutcome } from '../../appsync-js/types.js';
import type { AppSyncLambdaEvent, DataSourceOutcome } from '../datasources/types.js';

/** One loaded APPSYNC_JS file: `call('request' | 'response', ctx)`. */
export interface ResolverModule {
  call(fnName: 'request' | 'response', ctx: Record<string, unknown>): Promise<CallOutcome>;
}

/** Loads a resolver or function file (repository-relative path) once and reuses it. */
export type ResolverModuleLoader = (codePath: string) => Promise<ResolverModule>;

/** A resolver as the runner runs it: a pipeline, or a unit resolver bound to one data source. */
export type ResolverPlan =
  | { kind: 'pipeline'; code: string; functions: (PipelineFunction & { source: DataSource })[] }
  | { kind: 'unit'; code: string; source: DataSource };

/** The per-field parts of `ctx` the runner starts from. */
export interface FieldContext {
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  info: AppSyncLambdaEvent['info'];
  request: AppSyncLambdaEvent['request'];
  env: Record<string, string>;
}

/** How a field resolution ended: its value, or a field error; appended errors either way. */
export interface FieldOutcome {
  value: unknown;
  error?: AppSyncJsError;
  appended: AppSyncJsError[];
}

export interface RunnerDependencies {
  load: ResolverModuleLoader;
  invokeDataSource(source: DataSource, request: unknown, lambdaEvent: AppSyncLambdaEvent): Promise<DataSourceOutcome>;
  /** Receives the resolver code's `console.*` lines (`ERROR …`), as CloudWatch would. @default dropped */
  log?(line: string): void;
}

const UNAUTHORIZED_TYPE = 'Unauthorized';

/** Mutable state of one field resolution, threaded through every step as AppSync does. */
interface RunState {
  base: FieldContext;
  stash: Record<string, unknown>;
  appended: AppSyncJsError[];
  log?: (line: string) => void;
}

function makeCtx(state: RunState, extra: { prev?: unknown; result?: unknown; error?: unknown }): Record<string, unknown> {
  const { base } = state;
  return {
    arguments: base.arguments,
    args: base.arguments,
    identity: base.identity,
    source: base.source,
    info: base.info,
    request: base.request,
    env: base.env,
    stash: state.stash,
    prev: { result: extra.prev },
    result: extra.result,
    error: extra.error,
  };
}

type StepResult = { kind: 'value'; value: unknown } | { kind: 'early'; value: unknown; skipTo?: 'END' | 'NEXT' } | { kind: 'fail'; error: AppSyncJsError };

async function step(module: ResolverModule, fnName: 'request' | 'response', ctx: Record<string, unknown>, state: RunState, field: string): Promise<StepResult> {
  const outcome = await module.call(fnName, ctx);
  for (const line of outcome.logs ?? []) state.log?.(line);
  state.stash = outcome.stash ?? state.stash;
  state.appended.push(...(outcome.appendedErrors ?? []));
  switch (outcome.kind) {
    case 'returned':
      return { kind: 'value', value: outcome.value };
    case 'earlyReturn':
      return { kind: 'early', value: outcome.value, skipTo: outcome.skipTo };
    case 'error':
      return { kind: 'fail', error: outcome.error };
    case 'unauthorized':
      return { kind: 'fail', error: { errorType: UNAUTHORIZED_TYPE, message: `Not Authorized to access ${field}` } };
  }
}

function lambdaEvent(state: RunState, prev: unknown): AppSyncLambdaEvent {
  const { base } = state;
  return {
    arguments: base.arguments,
    identity: base.identity,
    source: base.source ?? null,
    request: base.request,
    prev: prev === undefined ? null : { result: prev },
    info: base.info,
    stash: state.stash,
  };
}

/** request → data source → response, for one function or a unit resolver. */
async function runWithSource(
  deps: RunnerDependencies,
  module: ResolverModule,
  source: DataSource,
  state: RunState,
  prev: unknown,
  field: string,
): Promise<StepResult> {
  const request = await step(module, 'request', makeCtx(state, { prev }), state, field);
  if (request.kind !== 'value') return request;
  const ds = await deps.invokeDataSource(source, request.value, lambdaEvent(state, prev));
  return step(module, 'response', makeCtx(state, { prev, result: ds.result, error: ds.error }), state, field);
}

/**
 * Runs one field's resolver the way AppSync does: a unit resolver (request, data source,
 * response) or a pipeline (before; each function's request, data source and response;
 * after), sharing `ctx.stash`, passing `ctx.prev.result` along, and honouring
 * `runtime.earlyReturn` (in `before` it skips to the field result; in a function it skips
 * that function's data source and response, or with `skipTo: 'END'` the other functions).
 *
 * @example
 * ```ts
 * const outcome = await runResolver(plan, fieldContext, { load, invokeDataSource });
 * if (outcome.error) report(outcome.error);
 * ```
 */
export async function runResolver(plan: ResolverPlan, base: FieldContext, deps: RunnerDependencies): Promise<FieldOutcome> {
  const state: RunState = { base, stash: {}, appended: [], log: deps.log };
  const field = `${base.info.fieldName} on type ${base.info.parentTypeName}`;
  const done = (r: StepResult): FieldOutcome =>
    r.kind === 'fail' ? { value: null, error: r.error, appended: state.appended } : { value: r.value ?? null, appended: state.appended };

  const resolverModule = await deps.load(plan.code);
  if (plan.kind === 'unit') return done(await runWithSource(deps, resolverModule, plan.source, state, undefined, field));

  const before = await step(resolverModule, 'request', makeCtx(state, {}), state, field);
  if (before.kind !== 'value') return done(before);
  let prev: unknown = before.value;
  for (const fn of plan.functions) {
    const fnModule = await deps.load(fn.code);
    const r = await runWithSource(deps, fnModule, fn.source, state, prev, field);
    if (r.kind === 'fail') return done(r);
    prev = r.value;
    if (r.kind === 'early' && r.skipTo === 'END') break;
  }
  return done(await step(resolverModule, 'response', makeCtx(state, { prev, result: prev }), state, field));
}
