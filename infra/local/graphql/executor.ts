import {
  execute,
  GraphQLError,
  parse,
  responsePathAsArray,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { AuthMode, DataSource, GraphqlApi } from '../../gateway.js';
import type { AppSyncLambdaEvent, DataSourceOutcome } from '../datasources/types.js';
import {
  AppSyncFieldError,
  formatAppendedError,
  formatExecutionError,
  formatSyntaxError,
  formatValidationError,
  GRAPHQL_ERROR_TYPES,
  timeoutErrorType,
  type AppSyncErrorEntry,
} from './errors.js';
import { DocumentCache } from './document-cache.js';
import { braceDepthExceeds, documentCost, limitProblem, MAX_DOCUMENT_TOKENS, type DocumentLimits } from './document-limits.js';
import { fieldAuthRules, isFieldAllowed, notAuthorizedMessage, type Caller } from './field-auth.js';
import { runResolver, type FieldContext, type ResolverModuleLoader, type ResolverPlan } from './resolver-runner.js';
import { selectionSetGraphQL, selectionSetList } from './selection-set.js';

/**
 * AppSync ends a GraphQL request after 30 seconds.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/appsync.html
 */
export const REQUEST_TIMEOUT_IN_MS = 30_000;

/** One GraphQL request, already authenticated. */
export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  caller: Caller;
  /** Request headers (lower-cased), passed to resolvers as `ctx.request.headers`. */
  headers: Record<string, string>;
}

/** The response body AppSync sends: `data` and, when anything failed, `errors`. */
export interface GraphqlResponse {
  data: Record<string, unknown> | null;
  errors?: AppSyncErrorEntry[];
}

export interface GraphqlExecutorOptions {
  schema: GraphQLSchema;
  api: Pick<GraphqlApi, 'defaultAuthMode' | 'resolvers' | 'functions'>;
  dataSources: DataSource[];
  load: ResolverModuleLoader;
  invokeDataSource(source: DataSource, request: unknown, lambdaEvent: AppSyncLambdaEvent): Promise<DataSourceOutcome>;
  /** `ctx.env` of every resolver (AppSync environment variables). @default {} */
  env?: Record<string, string>;
  /** @default REQUEST_TIMEOUT_IN_MS */
  requestTimeoutMs?: number;
  /** The API's query depth and resolver count limits. @default DEFAULT_DOCUMENT_LIMITS */
  limits?: DocumentLimits;
  /** Receives the resolvers' `console.*` lines, with the field they came from. @default dropped */
  log?(line: string): void;
}

/**
 * AppSync's defaults: no depth limit, at most 10,000 resolvers per request.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/configuration-limits.html
 */
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { queryDepthLimit: 0, resolverCountLimit: 10_000 };

/**
 * How deep `{` may nest in a document's text before it is refused unparsed: deeper than
 * AppSync's largest depth limit (75) with room for input object literals.
 */
const MAX_BRACE_DEPTH = 150;

interface RequestState {
  request: GraphqlRequest;
  appended: AppSyncErrorEntry[];
  deadline: number;
  /** Resolvers run so far; a list can multiply them past what the document showed. */
  resolverRuns: number;
}

/** Resolves the manifest's resolvers into runnable plans; a wrong name fails at start-up, not per request. */
function planResolvers(options: GraphqlExecutorOptions): Map<string, ResolverPlan> {
  const sources = new Map(options.dataSources.map((d) => [d.name, d]));
  const functions = new Map(options.api.functions.map((f) => [f.name, f]));
  const plans = new Map<string, ResolverPlan>();
  for (const resolver of options.api.resolvers) {
    const steps = resolver.pipeline.map((name) => {
      const fn = functions.get(name);
      if (!fn) throw new TypeError(`Resolver ${resolver.typeName}.${resolver.fieldName} names unknown function ${name}`);
      const source = sources.get(fn.dataSource);
      if (!source) throw new TypeError(`Function ${name} names unknown data source ${fn.dataSource}`);
      return { ...fn, source };
    });
    plans.set(`${resolver.typeName}.${resolver.fieldName}`, { kind: 'pipeline', code: resolver.code, functions: steps });
  }
  return plans;
}

/** `running()` names the type of the data source being called when the deadline passes, if any. */
function withDeadline<T>(promise: Promise<T>, deadline: number, running: () => string | undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppSyncFieldError({ errorType: timeoutErrorType(running()), message: 'Execution timed out.' })),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Executes GraphQL requests the way AppSync does: parse and validate against the
 * schema (AppSync validation errors, nothing runs), then resolve field by field,
 * checking each field's auth directives for the caller and running its unit or
 * pipeline resolver through the APPSYNC_JS runtime and the data sources.
 *
 * @example
 * ```ts
 * const executor = createGraphqlExecutor({ schema, api: manifest.graphql, dataSources, load, invokeDataSource });
 * const body = await executor.execute({ query: '{ models { id } }', caller, headers: {} });
 * ```
 */
export function createGraphqlExecutor(options: GraphqlExecutorOptions) {
  const plans = planResolvers(options);
  const defaultMode = options.api.defaultAuthMode as AuthMode;
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_IN_MS;
  const limits = options.limits ?? DEFAULT_DOCUMENT_LIMITS;
  const documents = new DocumentCache<DocumentNode>();
  const hasResolver = (typeName: string, fieldName: string) => plans.has(`${typeName}.${fieldName}`);

  const fieldResolver: GraphQLFieldResolver<unknown, RequestState> = (source, args, state, info) => {
    authorizeField(info, state.request.caller, defaultMode);
    const plan = plans.get(`${info.parentType.name}.${info.fieldName}`);
    if (!plan) {
      return source && typeof source === 'object' ? (source as Record<string, unknown>)[info.fieldName] : undefined;
    }
    if (++state.resolverRuns > limits.resolverCountLimit) {
      throw new AppSyncFieldError({ errorType: GRAPHQL_ERROR_TYPES.VALIDATION, message: `Resolver count limit of ${limits.resolverCountLimit} exceeded.` });
    }
    return resolveField(plan, source, args, state, info, options);
  };

  return {
    async execute(request: GraphqlRequest): Promise<GraphqlResponse> {
      const doc = prepareDocument(request.query, request.operationName, { schema: options.schema, documents, limits, hasResolver });
      if (!('kind' in doc)) return doc;
      const state: RequestState = { request, appended: [], deadline: Date.now() + timeoutMs, resolverRuns: 0 };
      const result = await execute({
        schema: options.schema,
        document: doc,
        variableValues: request.variables ?? undefined,
        operationName: request.operationName ?? undefined,
        contextValue: state,
        fieldResolver,
      });
      // No `data` at all means the variables (or the operation choice) failed before any field ran.
      if (result.data === undefined) return { data: null, errors: (result.errors ?? []).map(formatValidationError) };
      const errors = [...(result.errors ?? []).map(formatExecutionError), ...state.appended];
      return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
    },
  };
}

/** Refuses a field the caller's auth mode may not read (introspection fields are open). */
function authorizeField(info: GraphQLResolveInfo, caller: Caller, defaultMode: AuthMode): void {
  const type = info.parentType;
  if (type.name.startsWith('__') || info.fieldName.startsWith('__')) return;
  const field = type.getFields()[info.fieldName];
  if (!isFieldAllowed(fieldAuthRules(type, field, defaultMode), caller)) {
    throw new AppSyncFieldError({ errorType: GRAPHQL_ERROR_TYPES.UNAUTHORIZED, message: notAuthorizedMessage(info.fieldName, type.name) });
  }
}

/**
 * Runs a field's resolver within the request's deadline; the errors it appended join the
 * response's, at the field's path.
 */
function resolveField(
  plan: ResolverPlan,
  source: unknown,
  args: Record<string, unknown>,
  state: RequestState,
  info: GraphQLResolveInfo,
  options: Pick<GraphqlExecutorOptions, 'env' | 'load' | 'log' | 'invokeDataSource'>,
): Promise<unknown> {
  // The data source this field is calling, which names a timeout as AppSync does.
  let calling: string | undefined;
  const run = runResolver(plan, resolverContext(source, args, state, info, options.env ?? {}), {
    load: options.load,
    log: options.log && ((line) => options.log!(`${info.parentType.name}.${info.fieldName} ${line}`)),
    invokeDataSource: (dataSource, request, lambdaEvent) => {
      calling = dataSource.type;
      return options.invokeDataSource(dataSource, request, lambdaEvent).finally(() => (calling = undefined));
    },
  });
  return withDeadline(run, state.deadline, () => calling).then((outcome) => {
    const path = responsePathAsArray(info.path);
    const locations = outcome.appended.length > 0 ? new GraphQLError('', { nodes: info.fieldNodes }).locations : undefined;
    for (const appended of outcome.appended) state.appended.push(formatAppendedError(appended, path, locations));
    if (outcome.error) throw new AppSyncFieldError(outcome.error);
    return outcome.value;
  });
}

/** The resolver's `ctx` (without `stash`, `prev` and `result`, which the runner keeps). */
function resolverContext(source: unknown, args: Record<string, unknown>, state: RequestState, info: GraphQLResolveInfo, env: Record<string, string>): FieldContext {
  return {
    arguments: args,
    identity: state.request.caller.identity,
    source: source ?? null,
    info: {
      fieldName: info.fieldName,
      parentTypeName: info.parentType.name,
      variables: info.variableValues,
      selectionSetList: selectionSetList(info.fieldNodes, info.fragments),
      selectionSetGraphQL: selectionSetGraphQL(info.fieldNodes),
    },
    request: { headers: state.request.headers, domainName: null },
    env,
  };
}

function refused(message: string): GraphqlResponse {
  return { data: null, errors: [{ path: null, errorType: GRAPHQL_ERROR_TYPES.VALIDATION, locations: null, message }] };
}

/** Parses, measures and validates a document; too costly a document is refused before validation and execution. */
function prepareDocument(
  query: string,
  operationName: string | null | undefined,
  against: { schema: GraphQLSchema; documents: DocumentCache<DocumentNode>; limits: DocumentLimits; hasResolver: (typeName: string, fieldName: string) => boolean },
): DocumentNode | GraphqlResponse {
  const { schema, documents, limits, hasResolver } = against;
  const cached = documents.get(query);
  if (cached) {
    const problem = limitProblem(documentCost(schema, cached, operationName, hasResolver), limits);
    return problem ? refused(problem) : cached;
  }
  if (braceDepthExceeds(query, MAX_BRACE_DEPTH)) return refused(`Query depth limit exceeded: the document nests more than ${MAX_BRACE_DEPTH} levels.`);
  let doc: DocumentNode;
  try {
    doc = parse(query, { maxTokens: MAX_DOCUMENT_TOKENS });
  } catch (error) {
    return { data: null, errors: [formatSyntaxError(error as GraphQLError)] };
  }
  const problem = limitProblem(documentCost(schema, doc, operationName, hasResolver), limits);
  if (problem) return refused(problem);
  const invalid = validate(schema, doc);
  if (invalid.length > 0) return { data: null, errors: invalid.map(formatValidationError) };
  return documents.set(query, doc);
}

export type GraphqlExecutor = ReturnType<typeof createGraphqlExecutor>;
