/**
 * The APPSYNC_JS runtime of the local twin: runs the resolver, pipeline function and channel
 * handler files AppSync runs, in a `node:vm` context per module that holds only what APPSYNC_JS
 * has (no `process`, `require`, timers, `fetch`, `eval`), with `@aws-appsync/utils` backed by
 * the twin's implementation.
 *
 * `node:vm` is not a security boundary; the sandbox exists for fidelity (code that would fail
 * on AppSync fails here).
 *
 * Code is checked when it is loaded, as AppSync checks it when it is saved: syntax APPSYNC_JS
 * does not support (loops other than for-of/for-in, `throw`, `try`, async, promises, …) is
 * refused with AppSync's CODE_ERROR. With no loops and no job queue left, a call cannot run
 * forever: unbounded recursion ends in V8's stack overflow, which the call reports as a Code
 * error. So calls run without a `vm` timeout, whose watchdog thread cost more than most calls.
 */
import { createContext, Script } from 'node:vm';
import { JsonDepthError, MAX_JSON_NESTING_DEPTH, stringifyJsonWithin } from '../../functions/shared/json-limits.js';
import { bundleAppSyncJs } from '../appsync-bundle.js';
import { assertAppSyncJsCode } from '../appsync-code-check.js';
import { toSandboxModuleSource } from './code-transform.js';
import { AppSyncJsLoadError } from './errors.js';
import { createHostBridge } from './host-bridge.js';
import { sandboxScript } from './sandbox-script.js';
import { AppSyncJsFlavor, CODE_ERROR_TYPE, type AppSyncJsError, type CallOutcome, type SandboxReply } from './types.js';

export interface AppSyncJsModuleOptions {
  /**
   * Which API runs the code; Events has no `extensions`.
   * @default 'graphql'
   */
  flavor?: AppSyncJsFlavor;
  /**
   * "Now" for `util.time`, `util.autoUlid` and `util.autoKsuid`, in epoch milliseconds.
   * @default Date.now
   */
  clock?: () => number;
  /**
   * Randomness for `util.math.randomDouble` / `randomWithinRange`, in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/** A loaded APPSYNC_JS module. */
export interface AppSyncJsModule {
  /** The file it was loaded from (or `<code>`). */
  readonly name: string;
  /** Callable exports: `request`, `response`, `onPublish`, `onPublish.request`, …. */
  readonly callables: readonly string[];
  /** True when `path` names a function: `has('onPublish')` is false when `onPublish` is a `{request, response}` object. */
  has(path: string): boolean;
  /**
   * Calls the function at `path` with a copy of `ctx` (plain JSON). The handler's stash is
   * written back into `ctx.stash`, so one ctx can flow through a pipeline as AppSync's does.
   * @throws TypeError when `path` is not one of {@link callables}, or `ctx` is not JSON
   */
  call(path: string, ctx: object): CallOutcome;
}

/**
 * Bundles `entry` as the cloud would and loads it into a fresh sandbox.
 * @throws AppSyncCodeError (AppSync's BadRequestException, CODE_ERROR) when the code uses syntax APPSYNC_JS refuses
 * @throws AppSyncJsLoadError when the file does not bundle or its top-level code fails
 * @example
 * ```ts
 * const chat = await loadAppSyncJsModule('resolvers/events/chat.ts', { flavor: 'events' });
 * const outcome = chat.call('onSubscribe', ctx);
 * if (outcome.kind === 'unauthorized') deny();
 * ```
 */
export async function loadAppSyncJsModule(entry: string, options: AppSyncJsModuleOptions = {}): Promise<AppSyncJsModule> {
  const code = await bundleAppSyncJs(entry).catch((error: unknown) => {
    throw new AppSyncJsLoadError(error instanceof Error ? error.message : String(error), { cause: error });
  });
  return instantiateAppSyncJs(code, { ...options, name: entry });
}

/** Runs one call; compiled once, run in every context. */
const RUN_SCRIPT = new Script('__sluice.run(__sluiceIn)', { filename: 'appsync-js-call.js' });

/**
 * Loads already-bundled APPSYNC_JS code (what `bundleAppSyncJs` returns, or what AppSync's
 * EvaluateCode accepts) into a fresh sandbox.
 * @throws AppSyncCodeError (AppSync's BadRequestException, CODE_ERROR) when the code uses syntax APPSYNC_JS refuses
 * @throws AppSyncJsLoadError when the top-level code fails
 * @example
 * ```ts
 * const module = await instantiateAppSyncJs('export function request(ctx) { return {}; }');
 * ```
 */
export async function instantiateAppSyncJs(
  code: string,
  options: AppSyncJsModuleOptions & { name?: string } = {},
): Promise<AppSyncJsModule> {
  const name = options.name ?? '<code>';
  assertAppSyncJsCode(code, name);
  const [runtime, moduleSource] = await Promise.all([sandboxScript(), toSandboxModuleSource(code)]).catch((error: unknown) => {
    throw new AppSyncJsLoadError(`Cannot prepare ${name} for the sandbox: ${String(error)}`, { cause: error });
  });
  let logs: string[] = [];
  // A null-prototype global: a `{}` would hand user code the host's Object, and through it `process`.
  const globals = Object.create(null) as Record<string, unknown>;
  globals.__sluiceBridge = createHostBridge({
    flavor: options.flavor ?? AppSyncJsFlavor.GRAPHQL,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    onLog: (level, line) => logs.push(`${level} ${line}`),
  });
  const context = createContext(globals, {
    name: `APPSYNC_JS ${name}`,
    codeGeneration: { strings: false, wasm: false },
    // Any promise job runs inside the call that queued it, never later on the host's loop.
    microtaskMode: 'afterEvaluate',
  });
  runtime.runInContext(context);
  const loaded = JSON.parse(runTopLevel(() => new Script(moduleSource, { filename: 'code.js' }).runInContext(context), name)) as {
    callables?: string[];
    error?: AppSyncJsError;
  };
  if (loaded.error) throw new AppSyncJsLoadError(`Top-level code of ${name} failed: ${loaded.error.message}`);
  const callables = Object.freeze(loaded.callables ?? []);

  return {
    name,
    callables,
    has: (path) => callables.includes(path),
    call(path, ctx) {
      if (!callables.includes(path)) throw new TypeError(`${name} exports no function ${path} (it has: ${callables.join(', ') || 'none'})`);
      logs = [];
      try {
        globals.__sluiceIn = stringifyJsonWithin({ fn: path, ctx }, MAX_CONTEXT_NESTING_DEPTH);
        const reply = JSON.parse(RUN_SCRIPT.runInContext(context) as string) as SandboxReply;
        writeBackStash(ctx, reply.stash);
        return { ...reply, logs };
      } catch (error) {
        return { ...failedCall(error, ctx), logs };
      } finally {
        delete globals.__sluiceIn;
      }
    },
  };
}

/**
 * How deep the context handed to the sandbox may nest. Client JSON is refused past
 * MAX_JSON_NESTING_DEPTH on the way in; the context wraps it a few levels deeper
 * (`events[].payload`, `prev.result.items[]`), so the runtime allows twice that.
 */
const MAX_CONTEXT_NESTING_DEPTH = MAX_JSON_NESTING_DEPTH * 2;
/** The errorType of a call refused because its context nests too deep: bad input, not a code error. */
const CONTEXT_TOO_DEEP_ERROR_TYPE = 'ValidationError';

/** Runs the module's top-level code; a failure there is a load error. */
function runTopLevel(run: () => unknown, name: string): string {
  try {
    return run() as string;
  } catch (error) {
    throw new AppSyncJsLoadError(`Cannot load ${name}: ${String(error)}`, { cause: error });
  }
}

/** A call the sandbox could not answer: its context nests too deep, or the runtime itself broke. */
function failedCall(error: unknown, ctx: object): SandboxReply {
  const message =
    error instanceof JsonDepthError ? `The context ${error.message}` : `The APPSYNC_JS runtime failed: ${error instanceof Error ? error.message : String(error)}`;
  return {
    kind: 'error',
    error: { message, errorType: error instanceof JsonDepthError ? CONTEXT_TOO_DEEP_ERROR_TYPE : CODE_ERROR_TYPE },
    stash: stashOf(ctx),
    appendedErrors: [],
    extensions: { invalidations: [], cacheEvictions: [] },
    responseHeaders: {},
  };
}

function stashOf(ctx: object): Record<string, unknown> {
  const stash = (ctx as { stash?: unknown }).stash;
  return stash !== null && typeof stash === 'object' ? (stash as Record<string, unknown>) : {};
}

/** Replaces the caller's stash contents in place, keeping the object its holders share. */
function writeBackStash(ctx: object, stash: Record<string, unknown>): void {
  const target = ctx as { stash?: unknown };
  if (target.stash === null || typeof target.stash !== 'object' || Array.isArray(target.stash)) {
    target.stash = stash;
    return;
  }
  const current = target.stash as Record<string, unknown>;
  for (const key of Object.keys(current)) delete current[key];
  Object.assign(current, stash);
}
