import type { ChannelNamespace, DataSource } from '../../gateway.js';
import { createCodeHandlers } from './code-handlers.js';
import type { ChannelHandlers, HandlerContext, PublishDecision, SubscribeDecision } from './handler-context.js';
import { directPublish, directSubscribe, type HandlerLambda } from './lambda-handlers.js';

export interface NamespaceHandlerOptions {
  lambda: HandlerLambda;
  dataSources: readonly DataSource[];
  log: (line: string) => void;
}

/** AppSync's defaults: `onPublish` forwards the events unchanged, no `onSubscribe` allows. */
const DEFAULT_HANDLERS: ChannelHandlers = {
  onPublish: async (ctx) => ({ kind: 'broadcast', events: (ctx.events ?? []).map(({ id, payload }) => ({ id, payload })) }),
  onSubscribe: async () => ({ kind: 'allow' }),
};

/**
 * The handlers of one namespace: a direct Lambda integration where the manifest names
 * one, else the APPSYNC_JS `codeHandlers` file, else AppSync's defaults, decided per
 * operation (a namespace may mix them, as AppSync's `handlerConfigs` allow).
 *
 * @example
 * ```ts
 * const handlers = namespaceHandlers(chat, { lambda: context.lambda, dataSources: manifest.dataSources, log });
 * const decision = await handlers.onSubscribe(ctx);
 * ```
 */
export function namespaceHandlers(namespace: ChannelNamespace, options: NamespaceHandlerOptions): ChannelHandlers {
  const dataSource = namespace.handlerDataSource ? options.dataSources.find((ds) => ds.name === namespace.handlerDataSource) : undefined;
  if (namespace.handlerDataSource && !dataSource) {
    throw new TypeError(`Namespace ${namespace.name}: data source ${namespace.handlerDataSource} is not in the manifest.`);
  }
  // As the CDK's ChannelNamespace refuses it: the code would never run.
  if (namespace.codeHandlers && namespace.directHandlers?.onPublish && namespace.directHandlers.onSubscribe) {
    throw new TypeError(`Namespace ${namespace.name}: codeHandlers cannot be set when both onPublish and onSubscribe are direct Lambda handlers.`);
  }
  const code = namespace.codeHandlers
    ? createCodeHandlers({
        entry: namespace.codeHandlers,
        dataSource,
        lambda: options.lambda,
        log: options.log,
      })
    : DEFAULT_HANDLERS;
  const direct = namespace.directHandlers;
  return {
    onPublish(ctx: HandlerContext): Promise<PublishDecision> {
      return direct?.onPublish ? directPublish(options.lambda, direct.onPublish, ctx, options.log) : code.onPublish(ctx);
    },
    onSubscribe(ctx: HandlerContext): Promise<SubscribeDecision> {
      return direct?.onSubscribe ? directSubscribe(options.lambda, direct.onSubscribe, ctx) : code.onSubscribe(ctx);
    },
  };
}
