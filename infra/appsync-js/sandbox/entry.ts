/**
 * The runtime inside each sandbox context. The host bundles this file once and runs it first
 * in every fresh `vm` context; it takes the host bridge out of the global scope, installs the
 * APPSYNC_JS globals and exposes `__sluice.define` (load a module) and `__sluice.run` (call one
 * of its functions). Everything crosses the boundary as JSON text, so user code only ever
 * touches objects of its own realm.
 */
import { CODE_ERROR_TYPE, type AppSyncJsError, type CallEnding } from '../types.js';
import type { HostBridge } from './bridge.js';
import { Invocation } from './invocation.js';
import { UTILS_MODULE, createModules } from './modules.js';
import { EarlyReturnSignal, UnauthorizedSignal, UtilErrorSignal } from './signals.js';
import { isPlainObject } from './values.js';

type ModuleFactory = (exports: object, require: (name: string) => unknown, module: { exports: object }) => void;

/** File name AppSync gives user code in its error messages (`code.js:3:5: TypeError: …`). */
const CODE_FILE = 'code.js';

const scope = globalThis as unknown as Record<string, unknown>;
const bridge = scope.__sluiceBridge as HostBridge;
delete scope.__sluiceBridge;
// Not part of APPSYNC_JS; `eval` and `new Function` are already off (the host disables codegen).
delete scope.WebAssembly;
// Nor are these, and calls run without a time limit: `Atomics.wait` would block the twin and a
// promise chain could queue jobs forever, where load-time checks have already ruled out loops.
delete scope.Promise;
delete scope.Atomics;
delete scope.SharedArrayBuffer;

const invocation = new Invocation();
const modules = createModules(bridge, invocation);
for (const [name, value] of Object.entries(modules[UTILS_MODULE] ?? {})) scope[name] = value;
scope.console = createConsole();

let moduleExports: Record<string, unknown> = {};

function requireModule(name: string): unknown {
  const found = modules[name];
  if (!found) throw new Error(`Module ${name} is not available in APPSYNC_JS on the Sluice local twin`);
  return found;
}

/** Evaluates the user module; answers the callable export paths, or the load error. */
function define(factory: ModuleFactory): string {
  const module = { exports: {} };
  try {
    factory(module.exports, requireModule, module);
  } catch (error) {
    const ending = outcomeOf(error);
    return JSON.stringify({ error: ending.kind === 'error' ? ending.error : { message: `top-level code ended with ${ending.kind}` } });
  }
  moduleExports = module.exports as Record<string, unknown>;
  return JSON.stringify({ callables: callablePaths(moduleExports) });
}

/** Calls `fn` (`request`, `onPublish`, `onPublish.response`, …) with the ctx in `input`. */
function run(input: string): string {
  const { fn, ctx } = JSON.parse(input) as { fn: string; ctx: Record<string, unknown> };
  // In AppSync `ctx.args` is the very object `ctx.arguments` is.
  if (bridge.flavor === 'graphql' && ctx.arguments !== undefined) ctx.args = ctx.arguments;
  if (!isPlainObject(ctx.stash)) ctx.stash = {};
  invocation.begin(ctx);
  let outcome: CallEnding;
  try {
    const value = invoke(fn, ctx);
    outcome = isThenable(value)
      ? { kind: 'error', error: codeError(new TypeError('APPSYNC_JS has no promises: a handler must not be async')) }
      : { kind: 'returned', value };
  } catch (signal) {
    outcome = outcomeOf(signal);
  }
  const effects = {
    stash: ctx.stash as Record<string, unknown>,
    appendedErrors: invocation.appendedErrors,
    extensions: invocation.extensions,
    responseHeaders: invocation.responseHeaders,
  };
  try {
    return JSON.stringify({ ...outcome, ...effects });
  } catch (error) {
    const message = `the handler's result is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    const failure = { kind: 'error', error: { message, errorType: CODE_ERROR_TYPE } };
    // Keep the effects when it is the returned value that cannot be serialised.
    try {
      return JSON.stringify({ ...failure, ...effects });
    } catch {
      return JSON.stringify({ ...failure, stash: {}, appendedErrors: [], extensions: { invalidations: [], cacheEvictions: [] }, responseHeaders: {} });
    }
  }
}

function invoke(path: string, ctx: Record<string, unknown>): unknown {
  const names = path.split('.');
  const last = names.pop() ?? '';
  let owner: unknown = moduleExports;
  for (const name of names) owner = isPlainObject(owner) ? owner[name] : undefined;
  // Called as a method, so `this` is the handler object, as AppSync calls it.
  return (owner as Record<string, (ctx: unknown) => unknown>)[last]?.(ctx);
}

function outcomeOf(signal: unknown): CallEnding {
  if (signal instanceof UtilErrorSignal) return { kind: 'error', error: signal.error };
  if (signal instanceof UnauthorizedSignal) return { kind: 'unauthorized' };
  if (signal instanceof EarlyReturnSignal) {
    return signal.skipTo === undefined
      ? { kind: 'earlyReturn', value: signal.value }
      : { kind: 'earlyReturn', value: signal.value, skipTo: signal.skipTo };
  }
  return { kind: 'error', error: codeError(signal) };
}

/** A runtime error as AppSync reports it: `code.js:<line>:<column>: <Name>: <message>`. */
function codeError(error: unknown): AppSyncJsError {
  if (!(error instanceof Error)) return { message: String(error), errorType: CODE_ERROR_TYPE };
  const frame = new RegExp(`${CODE_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(error.stack ?? '');
  const where = frame ? `${CODE_FILE}:${frame[1]}:${frame[2]}: ` : '';
  return { message: `${where}${error.name}: ${error.message}`, errorType: CODE_ERROR_TYPE };
}

function callablePaths(exports: Record<string, unknown>): string[] {
  return Object.entries(exports).flatMap(([name, value]) => {
    if (typeof value === 'function') return [name];
    if (!isPlainObject(value)) return [];
    return Object.entries(value)
      .filter(([, member]) => typeof member === 'function')
      .map(([member]) => `${name}.${member}`);
  });
}

function isThenable(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function createConsole(): Record<string, (...args: unknown[]) => void> {
  const line = (args: unknown[]) => args.map((arg) => (typeof arg === 'string' ? arg : toLogText(arg))).join(' ');
  const level = (name: string) => (...args: unknown[]) => bridge.log(name, line(args));
  return { log: level('INFO'), info: level('INFO'), debug: level('DEBUG'), warn: level('WARN'), error: level('ERROR') };
}

function toLogText(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

Object.defineProperty(scope, '__sluice', { value: Object.freeze({ define, run }) });
