import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { AuthMode } from '../../gateway.js';
import { createAuthorizer, lowerCaseHeaders } from '../auth/index.js';
import type { TwinComponent, TwinContext } from '../context.js';
import { createDataSources } from '../datasources/index.js';
import { REPO_ROOT } from '../paths.js';
import { loadAppSyncSchema } from './appsync-schema.js';
import { GRAPHQL_ERROR_TYPES, requestError } from './errors.js';
import { createGraphqlExecutor, DEFAULT_DOCUMENT_LIMITS, type GraphqlRequest } from './executor.js';
import { BodyTooLargeError, readBody } from './http-body.js';
import { parseJsonWithin } from '../../../functions/shared/json-limits.js';
import { createResolverLoader } from './resolver-loader.js';
import { tableEnvironment } from './table-environment.js';

/** Where the twin serves the GraphQL API. */
export const GRAPHQL_PATH = '/graphql';

/**
 * Largest request body the twin reads. AppSync documents no exact figure for the
 * request; 1 MB fits every Sluice operation (a prompt is at most 32 KB) with room.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/appsync.html
 */
export const MAX_REQUEST_BODY_IN_BYTES = 1_048_576;

/** Browsers call the API from the web app's origin (Vite dev server or the hosted app). */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, x-api-key, x-amz-date, x-amz-security-token, x-amz-user-agent, x-amz-content-sha256',
  'access-control-expose-headers': 'x-amzn-requestid, x-amzn-errortype',
  'access-control-max-age': '86400',
};

function send(res: ServerResponse, status: number, body: unknown, requestId: string, errorType?: string): void {
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=UTF-8',
    'x-amzn-requestid': requestId,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
}

/** AppSync's answer to a body it cannot read as one GraphQL request (not JSON, `{}`, a batch array). */
const UNPARSABLE_REQUEST = 'Unable to parse GraphQL query.';

type RequestFields = Omit<GraphqlRequest, 'caller' | 'headers'>;

function parseRequestBody(text: string): RequestFields | string {
  if (text.trim() === '') return 'Request body is empty.';
  let body: unknown;
  try {
    // Variables nesting past the limit would overflow the stack of whatever serialises them next.
    body = parseJsonWithin(text);
  } catch {
    return UNPARSABLE_REQUEST;
  }
  // AppSync runs one operation per request: a batch array is not a request it can parse.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return UNPARSABLE_REQUEST;
  return requestFields(body as Record<string, unknown>);
}

/** A GET request: `query`, `variables` (JSON) and `operationName` in the query string. */
function parseRequestQuery(url: string): RequestFields | string {
  const params = new URL(url, 'https://localhost').searchParams;
  const variablesText = params.get('variables');
  let variables: unknown = null;
  if (variablesText !== null && variablesText !== '') {
    try {
      variables = parseJsonWithin(variablesText);
    } catch {
      return UNPARSABLE_REQUEST;
    }
  }
  return requestFields({ query: params.get('query') ?? undefined, variables, operationName: params.get('operationName') ?? undefined });
}

function requestFields(body: Record<string, unknown>): RequestFields | string {
  const { query, variables, operationName } = body;
  if (typeof query !== 'string' || query.trim() === '') return UNPARSABLE_REQUEST;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return 'variables must be a JSON object.';
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return 'operationName must be a string.';
  return { query, variables: (variables as Record<string, unknown> | null) ?? null, operationName: operationName ?? null };
}

/**
 * The AppSync GraphQL endpoint of the twin: `POST /graphql` with the manifest's auth
 * modes, the schema's auth directives field by field, and the manifest's resolvers run
 * through the APPSYNC_JS runtime against DynamoDB Local, the in-process Lambdas and NONE.
 * The schema declares no subscriptions, so there is no `/graphql/realtime`.
 *
 * @example
 * ```ts
 * const twin = await startTwin({ services, components: [createGraphqlComponent] });
 * ```
 */
export async function createGraphqlComponent(context: TwinContext): Promise<TwinComponent> {
  const { manifest } = context;
  const api = manifest.graphql;
  const schema = loadAppSyncSchema(resolve(REPO_ROOT, api.schema));
  const dataSources = createDataSources({ dynamodb: context.dynamodb, lambda: context.lambda, tables: manifest.tables });
  const loader = createResolverLoader();
  const executor = createGraphqlExecutor({
    schema,
    api,
    dataSources: manifest.dataSources,
    load: loader.load,
    invokeDataSource: (dataSource, request, lambdaEvent) => dataSources.invoke({ dataSource, request, lambdaEvent }),
    env: tableEnvironment(manifest.tables, context.dynamodb.tableName),
    // The resolvers' console lines (a data source failure, a correlation id) reach the twin's console.
    log: (line) => context.log(`[graphql] ${line}`),
    limits: {
      queryDepthLimit: api.queryDepthLimit ?? DEFAULT_DOCUMENT_LIMITS.queryDepthLimit,
      resolverCountLimit: api.resolverCountLimit ?? DEFAULT_DOCUMENT_LIMITS.resolverCountLimit,
    },
  });
  const authorizer = createAuthorizer(context);
  const allowedModes: AuthMode[] = [api.defaultAuthMode, ...api.additionalAuthModes];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    // AppSync takes queries and mutations over GET too, with the request in the query string.
    if (req.method !== 'POST' && req.method !== 'GET') {
      send(res, 405, requestError(GRAPHQL_ERROR_TYPES.MALFORMED, 'Use POST or GET for GraphQL requests.'), requestId, GRAPHQL_ERROR_TYPES.MALFORMED);
      return;
    }
    let text = '';
    try {
      if (req.method === 'POST') text = await readBody(req, MAX_REQUEST_BODY_IN_BYTES);
      else req.resume();
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      send(res, 413, requestError(GRAPHQL_ERROR_TYPES.TOO_LARGE, error.message), requestId, GRAPHQL_ERROR_TYPES.TOO_LARGE);
      return;
    }
    const headers = lowerCaseHeaders(req.headers as Record<string, unknown>);
    const auth = await authorizer.authorize({
      headers,
      body: text,
      method: req.method,
      // A GET is signed over its query string.
      path: req.method === 'GET' ? (req.url ?? GRAPHQL_PATH) : GRAPHQL_PATH,
      allowedModes,
      sourceIp: req.socket.remoteAddress,
    });
    if (!auth.ok) {
      send(res, auth.status, requestError(auth.errorType, auth.message), requestId, auth.errorType);
      return;
    }
    const parsed = req.method === 'GET' ? parseRequestQuery(req.url ?? GRAPHQL_PATH) : parseRequestBody(text);
    if (typeof parsed === 'string') {
      send(res, 400, requestError(GRAPHQL_ERROR_TYPES.MALFORMED, parsed), requestId, GRAPHQL_ERROR_TYPES.MALFORMED);
      return;
    }
    const response = await executor.execute({
      ...parsed,
      caller: { mode: auth.mode, identity: auth.identity },
      headers: Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string')),
    });
    send(res, 200, response, requestId);
  }

  return {
    name: 'graphql',
    handleRequest(req, res) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== GRAPHQL_PATH) return false;
      return handle(req, res).then(() => true);
    },
    describe: () => [`GraphQL   ${context.url}${GRAPHQL_PATH}  (${allowedModes.join(', ')}; no subscriptions)`],
    async close() {
      dataSources.close();
      await loader.close();
    },
  };
}
