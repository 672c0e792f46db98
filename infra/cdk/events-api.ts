import { CfnOutput } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { DataSource, EventsApi } from '../gateway.js';
import { eventsAuthProvider, eventsAuthType } from './auth-modes.js';
import { suppressAppSyncRoleFindings } from './appsync-suppressions.js';
import { pascal } from './auth.js';
import { LOG_RETENTION } from './defaults.js';
import { HandlerForm, handlerForm, type ManifestCode } from './manifest-code.js';
import type { SluiceFunctions } from './functions.js';
import type { SluiceTables } from './tables.js';

/** The channel handlers a namespace may have. */
const HANDLERS = ['onPublish', 'onSubscribe'] as const;
type Handler = (typeof HANDLERS)[number];

export interface SluiceEventsApiProps {
  events: EventsApi;
  userPool: IUserPool;
}

export interface NamespaceWiring {
  code: ManifestCode;
  dataSources: DataSource[];
  functions: SluiceFunctions;
  tables: SluiceTables;
}

/**
 * The AppSync Events API: the manifest's auth providers, logging, and (in
 * {@link SluiceEventsApi.addNamespaces}) its channel namespaces with their APPSYNC_JS code
 * handlers and direct Lambda handlers.
 *
 * The API is created first and the namespaces later because the functions need the API's
 * endpoint in their environment, and direct handlers need the functions.
 *
 * @example
 * ```ts
 * const events = new SluiceEventsApi(this, 'Events', { events: gateway.events, userPool });
 * events.addNamespaces({ code, dataSources: gateway.dataSources, functions, tables });
 * ```
 */
export class SluiceEventsApi extends Construct {
  readonly api: appsync.EventApi;
  readonly namespaces = new Map<string, appsync.ChannelNamespace>();
  readonly #events: EventsApi;
  readonly #dataSources = new Map<string, appsync.AppSyncBackedDataSource>();

  constructor(scope: Construct, id: string, props: SluiceEventsApiProps) {
    super(scope, id);
    this.#events = props.events;
    const providers = props.events.authProviders.map((mode) => eventsAuthProvider(mode, props.userPool));
    this.api = new appsync.EventApi(this, 'Api', {
      apiName: props.events.name,
      authorizationConfig: {
        authProviders: providers,
        connectionAuthModeTypes: props.events.authProviders.map(eventsAuthType),
        defaultPublishAuthModeTypes: props.events.defaultPublishAuthModes.map(eventsAuthType),
        defaultSubscribeAuthModeTypes: props.events.defaultSubscribeAuthModes.map(eventsAuthType),
      },
      logConfig: { fieldLogLevel: appsync.AppSyncFieldLogLevel.ERROR, retention: LOG_RETENTION },
    });
    new CfnOutput(scope, 'EventsHttpEndpoint', { value: `https://${this.api.httpDns}/event` });
    new CfnOutput(scope, 'EventsRealtimeEndpoint', { value: `wss://${this.api.realtimeDns}/event/realtime` });
  }

  /**
   * Adds every namespace of the manifest with its handlers. A code handler written as
   * `{request, response}` gets the namespace's data source; a plain function gets none,
   * as AppSync requires (and as the twin runs them).
   * @throws Error when a `{request, response}` handler has no data source, or a declared
   *   `handlerDataSource` is used by no handler
   */
  addNamespaces(wiring: NamespaceWiring): void {
    for (const ns of this.#events.namespaces) {
      const code = ns.codeHandlers ? wiring.code.bundles.get(ns.codeHandlers) : undefined;
      if (ns.codeHandlers && code === undefined) throw new Error(`Namespace ${ns.name}: ${ns.codeHandlers} was not bundled`);
      const callables = ns.codeHandlers ? (wiring.code.handlerCallables.get(ns.codeHandlers) ?? []) : [];
      const withDataSource = HANDLERS.filter((h) => !ns.directHandlers?.[h] && handlerForm(callables, h) === HandlerForm.REQUEST_RESPONSE);
      if (withDataSource.length > 0 && !ns.handlerDataSource) {
        throw new Error(
          `Namespace ${ns.name}: ${withDataSource.join(' and ')} in ${ns.codeHandlers} is {request, response}, which needs a data source; ` +
            'set handlerDataSource in the manifest, or write the handler as a function',
        );
      }
      if (ns.handlerDataSource && withDataSource.length === 0) {
        throw new Error(
          `Namespace ${ns.name}: handlerDataSource ${ns.handlerDataSource} is called by no handler; ` +
            `only an onPublish/onSubscribe written as {request, response} calls it${ns.codeHandlers ? ` (${ns.codeHandlers} has: ${callables.join(', ') || 'none'})` : ''}`,
        );
      }
      const codeDataSource = ns.handlerDataSource ? this.#dataSource(ns.handlerDataSource, wiring) : undefined;
      const handlerConfig = (handler: Handler): appsync.HandlerConfig | undefined => {
        const direct = ns.directHandlers?.[handler];
        if (direct) {
          return {
            direct: true,
            dataSource: this.#lambdaDataSource(direct.functionName, wiring),
            lambdaInvokeType: direct.invokeType === 'EVENT' ? appsync.LambdaInvokeType.EVENT : appsync.LambdaInvokeType.REQUEST_RESPONSE,
          };
        }
        return withDataSource.includes(handler) ? { dataSource: codeDataSource } : undefined;
      };
      const namespace = this.api.addChannelNamespace(`Namespace${pascal(ns.name)}`, {
        channelNamespaceName: ns.name,
        code: code === undefined ? undefined : appsync.Code.fromInline(code),
        authorizationConfig: {
          publishAuthModeTypes: ns.publishAuthModes.length > 0 ? ns.publishAuthModes.map(eventsAuthType) : undefined,
          subscribeAuthModeTypes: ns.subscribeAuthModes.length > 0 ? ns.subscribeAuthModes.map(eventsAuthType) : undefined,
        },
        publishHandlerConfig: handlerConfig('onPublish'),
        subscribeHandlerConfig: handlerConfig('onSubscribe'),
      });
      this.namespaces.set(ns.name, namespace);
    }
    // After the data sources exist: suppressions apply to the children present at the call.
    suppressAppSyncRoleFindings(this.api);
  }

  #lambdaDataSource(functionName: string, wiring: NamespaceWiring): appsync.AppSyncBackedDataSource {
    const key = `lambda:${functionName}`;
    let ds = this.#dataSources.get(key);
    if (!ds) {
      ds = this.api.addLambdaDataSource(`${pascal(functionName)}Direct`, wiring.functions.byName.get(functionName)!, {
        name: `${pascal(functionName)}Direct`,
      });
      this.#dataSources.set(key, ds);
    }
    return ds;
  }

  #dataSource(name: string, wiring: NamespaceWiring): appsync.AppSyncBackedDataSource {
    const spec = wiring.dataSources.find((d) => d.name === name)!;
    let ds = this.#dataSources.get(name);
    if (ds) return ds;
    if (spec.type === 'AMAZON_DYNAMODB') {
      ds = this.api.addDynamoDbDataSource(pascal(name), wiring.tables.byName.get(spec.table)!, { name });
    } else if (spec.type === 'AWS_LAMBDA') {
      ds = this.api.addLambdaDataSource(pascal(name), wiring.functions.byName.get(spec.functionName)!, { name });
    } else {
      throw new Error(`Events APIs have no ${spec.type} data source (${name})`);
    }
    this.#dataSources.set(name, ds);
    return ds;
  }
}
