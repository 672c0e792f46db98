import type { DataSource } from '../../gateway.js';
import { bundleAppSyncJs } from '../../appsync-bundle.js';
import { instantiateAppSyncJs, type AppSyncJsModule } from '../../appsync-js/runtime.js';
import { AppSyncJsFlavor, type CallOutcome } from '../../appsync-js/types.js';
import { EventsErrorType } from './constants.js';
import { EventsError } from './errors.js';
import { outgoingEvents, type ChannelHandlers, type HandlerContext, type PublishDecision, type SubscribeDecision } from './handler-context.js';
import type { HandlerLambda } from './lambda-handlers.js';

export interface CodeHandlerOptions {
  /** The APPSYNC_JS file exporting `onPublish` and/or `onSubscribe`. */
  entry: string;
  /** The data source `{request, response}` handlers call. */
  dataSource: DataSource | undefined;
  lambda: HandlerLambda;
  log: (line: string) => void;
}

type Operation = 'onPublish' | 'onSubscribe';

/**
 * Runs a namespace's APPSYNC_JS handlers with the twin's APPSYNC_JS runtime, from the
 * same file the cloud deploys. A handler may be a function, or `{request, response}`
 * calling the namespace's data source (`runtime.earlyReturn` in `request` skips the
 * data source and `response`). A missing export gets AppSync's default.
 *
 * @example
 * ```ts
 * const handlers = createCodeHandlers({ entry: 'resolvers/events/chat.ts', dataSource: undefined, lambda, log });
 * ```
 */
export function createCodeHandlers(options: CodeHandlerOptions): ChannelHandlers {
  let loaded: { code: string; module: Promise<AppSyncJsModule> } | undefined;

  // Bundled per call (esbuild's result is cached by modification time) so an edited
  // handler takes effect on the next request, as on a redeploy; the sandbox is rebuilt
  // only when the code changed.
  async function load(): Promise<AppSyncJsModule> {
    const code = await bundleAppSyncJs(options.entry);
    if (loaded?.code !== code) {
      loaded = { code, module: instantiateAppSyncJs(code, { name: options.entry, flavor: AppSyncJsFlavor.EVENTS }) };
    }
    return loaded.module;
  }

  async function run(operation: Operation, ctx: HandlerContext): Promise<CallOutcome | EventsError | undefined> {
    let module: AppSyncJsModule;
    try {
      module = await load();
    } catch (error) {
      loaded = undefined;
      options.log(`[events] cannot load ${options.entry}: ${(error as Error).message}`);
      return new EventsError(500, EventsErrorType.INTERNAL, `Channel handler ${options.entry} failed to load: ${(error as Error).message}`, { cause: error });
    }
    if (module.has(operation)) return module.call(operation, ctx);
    if (!module.has(`${operation}.request`)) return undefined;
    const request = await module.call(`${operation}.request`, ctx);
    if (request.kind !== 'returned') return request;
    await callDataSource(request.value, ctx);
    return module.has(`${operation}.response`) ? module.call(`${operation}.response`, ctx) : { ...request, value: ctx.result };
  }

  async function callDataSource(request: unknown, ctx: HandlerContext): Promise<void> {
    const { dataSource } = options;
    const { operation, invocationType, payload } = (request ?? {}) as { operation?: unknown; invocationType?: unknown; payload?: unknown };
    if (!dataSource || dataSource.type === 'NONE') {
      ctx.result = payload ?? null;
      return;
    }
    if (dataSource.type !== 'AWS_LAMBDA' || operation !== 'Invoke') {
      ctx.error = { message: `Data source ${dataSource.name} (${dataSource.type}) does not support this request in an Events handler.`, type: 'BadRequest' };
      return;
    }
    try {
      if (invocationType === 'Event') {
        options.lambda.invokeAsync(dataSource.functionName, payload);
        ctx.result = null;
      } else {
        ctx.result = await options.lambda.invoke(dataSource.functionName, payload);
      }
    } catch (error) {
      const err = error as Error & { errorType?: string };
      ctx.error = { message: err.message, type: err.errorType ?? 'Lambda:Unhandled' };
    }
  }

  return {
    async onPublish(ctx: HandlerContext): Promise<PublishDecision> {
      const incoming = ctx.events ?? [];
      const outcome = await run('onPublish', ctx);
      if (outcome instanceof EventsError) return { kind: 'error', error: outcome };
      if (!outcome) return { kind: 'broadcast', events: incoming.map(({ id, payload }) => ({ id, payload })) };
      if (outcome.kind === 'unauthorized') {
        return { kind: 'error', error: new EventsError(401, EventsErrorType.UNAUTHORIZED, 'You are not authorized to publish to this channel.') };
      }
      if (outcome.kind === 'error') {
        return { kind: 'error', error: new EventsError(403, outcome.error.errorType ?? EventsErrorType.FORBIDDEN, outcome.error.message) };
      }
      const events = outgoingEvents(outcome.value, incoming);
      if (typeof events === 'string') return { kind: 'error', error: new EventsError(403, EventsErrorType.FORBIDDEN, events) };
      return { kind: 'broadcast', events };
    },
    async onSubscribe(ctx: HandlerContext): Promise<SubscribeDecision> {
      const outcome = await run('onSubscribe', ctx);
      if (outcome instanceof EventsError) return { kind: 'error', error: outcome };
      if (!outcome || outcome.kind === 'returned' || outcome.kind === 'earlyReturn') return { kind: 'allow' };
      if (outcome.kind === 'unauthorized') {
        return { kind: 'error', error: new EventsError(401, EventsErrorType.HANDLER_UNAUTHORIZED, 'You are not authorized to subscribe to this channel.') };
      }
      return {
        kind: 'error',
        error: new EventsError(403, outcome.error.errorType ?? EventsErrorType.SUBSCRIPTION_PROCESSING, outcome.error.message),
      };
    },
  };
}
