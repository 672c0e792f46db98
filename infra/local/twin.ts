import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { gateway as defaultManifest, type GatewayManifest } from '../gateway.js';
import { usesApiKeys } from './api-keys.js';
import { ensureDevCertificate, type DevCertificate } from './certs.js';
import { startCognitoLocal, type LocalCognito } from './cognito.js';
import type { LocalIamCredentials, TwinComponent, TwinComponentFactory, TwinContext } from './context.js';
import { createCognitoProxy } from './cognito-proxy.js';
import { tableEnvironment } from './graphql/table-environment.js';
import { createMetricsCapture, METRICS_CAPTURE_PATH } from './metrics-capture.js';
import { dynamoDbClient, ensureTables, LOCAL_REGION, physicalTableName, startDynamoDbLocal, type LocalDynamoDb } from './dynamodb.js';
import { LocalLambdaInvoker, type LambdaHandler } from './lambda.js';
import { amplifyOutputs, type AmplifyOutputs } from './outputs.js';
import { defaultComponents, startSideServices, type BedrockFaults } from './components.js';
import { hasOpenTurns } from './interrupted-turns.js';
import { TWIN_START_SOURCE } from '../../functions/shared/ledger/sweeper.js';
import type { BedrockTwinOptions } from './bedrock/index.js';

export const DEFAULT_PORT = 8443;
/** The manifest function that ends what crashed turns left open (functions/budget-sweeper). */
const SWEEPER_FUNCTION = 'budgetSweeper';
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The IAM credentials the twin accepts: the "gateway role" of the local account. */
export const LOCAL_IAM: LocalIamCredentials = {
  accessKeyId: 'AKIASLUICELOCAL00001',
  secretAccessKey: 'sluice-local-twin-secret-access-key',
  accountId: LOCAL_ACCOUNT_ID,
  userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/sluice-gateway`,
};

/** What a request to a twin that is still starting is told to wait before retrying. */
export const NOT_READY_RETRY_AFTER_IN_SECONDS = 1;

function answerNotReady(res: ServerResponse): void {
  res.writeHead(503, {
    'content-type': 'application/json',
    'retry-after': String(NOT_READY_RETRY_AFTER_IN_SECONDS),
    'x-amzn-errortype': 'ServiceUnavailableException',
  });
  res.end(JSON.stringify({ message: 'The local twin is starting; retry shortly' }));
}

/** The long-running parts the twin fronts; tests share one set across suites. */
export interface BackingServices {
  certificate: DevCertificate;
  cognito: LocalCognito;
  dynamodb: LocalDynamoDb;
  stop(): Promise<void>;
}

export async function startBackingServices(options: {
  certsDir: string;
  cognitoDir: string;
  /** Persist DynamoDB data here; in memory when absent. */
  dynamoDbPath?: string;
  cognitoPort?: number;
  manifest?: GatewayManifest;
}): Promise<BackingServices> {
  const manifest = options.manifest ?? defaultManifest;
  const started = await Promise.allSettled([
    ensureDevCertificate(options.certsDir),
    startCognitoLocal({ dataDir: options.cognitoDir, groups: manifest.cognitoGroups, port: options.cognitoPort }),
    startDynamoDbLocal({ dbPath: options.dynamoDbPath }),
  ] as const);
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    // Leave no orphaned Java or Node process behind when a sibling failed to start.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' && 'stop' in s.value ? s.value.stop() : undefined)));
    throw failure.reason;
  }
  const [certificate, cognito, dynamodb] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    DevCertificate,
    LocalCognito,
    LocalDynamoDb,
  ];
  return {
    certificate,
    cognito,
    dynamodb,
    async stop() {
      await Promise.all([cognito.stop(), dynamodb.stop()]);
    },
  };
}

export interface TwinOptions {
  services: BackingServices;
  /** @default 8443; 0 picks a free port */
  port?: number;
  /** @default 'localhost' */
  hostname?: string;
  manifest?: GatewayManifest;
  /** Prefix of the physical table names, so suites sharing DynamoDB Local don't collide. @default 'sluice-' */
  tablePrefix?: string;
  /** The API key, used only when the manifest enables API_KEY on an API. @default a random key */
  apiKey?: string;
  components?: TwinComponentFactory[];
  lambdaOverrides?: Record<string, LambdaHandler>;
  asyncRetryDelaysMs?: number[];
  /** Divides the Bedrock simulator's delays (tests and benchmarks speed it up). @default 1 */
  bedrockSpeed?: number;
  /** Told when each simulated ConverseStream sends its first text (the bench's per-component timing). @default none */
  onBedrockConverseStream?: BedrockTwinOptions['onConverseStream'];
  log?: (line: string) => void;
}

export interface Twin {
  url: string;
  port: number;
  context: TwinContext;
  outputs: AmplifyOutputs;
  components: TwinComponent[];
  /** The Bedrock twin's faults that are not asked for in a prompt (throttling every call for a while). */
  bedrock: BedrockFaults;
  close(): Promise<void>;
}

/** Starts the twin's HTTPS/WSS server in front of the backing services. */
export async function startTwin(options: TwinOptions): Promise<Twin> {
  const manifest = options.manifest ?? defaultManifest;
  const hostname = options.hostname ?? 'localhost';
  const log = options.log ?? ((line: string) => console.log(line));
  const tablePrefix = options.tablePrefix ?? 'sluice-';
  const { services } = options;

  // The port opens first (the functions' environment needs its number, and port 0 picks
  // one), so until the components are set up every request gets a prompt 503 with
  // Retry-After instead of waiting on a handler that is not there yet.
  const components: TwinComponent[] = [];
  let ready = false;
  const server: Server = createServer({ key: services.certificate.key, cert: services.certificate.cert });
  server.on('request', (req, res) => {
    if (!ready) return answerNotReady(res);
    void route(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!ready) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${NOT_READY_RETRY_AFTER_IN_SECONDS}\r\nConnection: close\r\n\r\n`);
      return;
    }
    for (const component of components) {
      if (component.handleUpgrade?.(req, socket, head)) return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  // A TLS client that hangs up mid-handshake must not take the twin down.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, hostname === 'localhost' ? '127.0.0.1' : hostname, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${hostname}:${port}`;
  /** A start that fails must not leave a port open that answers 503 forever. */
  const orCloseServer = <T>(step: Promise<T>): Promise<T> =>
    step.catch(async (error: unknown) => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      throw error;
    });

  async function route(req: IncomingMessage, res: ServerResponse) {
    try {
      for (const component of components) {
        if (component.handleRequest && (await component.handleRequest(req, res))) return;
      }
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
      res.end(JSON.stringify({ message: `No route for ${req.method} ${req.url}` }));
    } catch (error) {
      log(`[twin] ${req.method} ${req.url} failed: ${(error as Error).stack}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
      res.end(JSON.stringify({ message: 'Internal failure in the local twin' }));
    }
  }

  const ddb = dynamoDbClient(services.dynamodb.endpoint);
  await orCloseServer(ensureTables(ddb, manifest.tables, tablePrefix));
  // Turns the last run left open (it was killed mid-stream) are ended once the twin serves.
  const tracksTurns = ['Budgets', 'ChatRequests'].every((name) => manifest.tables.some((table) => table.name === name));
  const leftOpen =
    tracksTurns &&
    (await orCloseServer(
      hasOpenTurns(ddb, { budgets: physicalTableName(tablePrefix, { name: 'Budgets' }), requests: physicalTableName(tablePrefix, { name: 'ChatRequests' }) }),
    ));
  ddb.destroy();

  const tableVariables = tableEnvironment(manifest.tables, (name) => physicalTableName(tablePrefix, { name }));
  const sideServices = await orCloseServer(startSideServices({ bedrockSpeed: options.bedrockSpeed, onConverseStream: options.onBedrockConverseStream }));
  const lambda = new LocalLambdaInvoker({
    functions: manifest.functions,
    accountId: LOCAL_ACCOUNT_ID,
    overrides: options.lambdaOverrides,
    asyncRetryDelaysMs: options.asyncRetryDelaysMs,
    log,
    settings: {
      region: LOCAL_REGION,
      accessKeyId: LOCAL_IAM.accessKeyId,
      secretAccessKey: LOCAL_IAM.secretAccessKey,
      tableVariables,
      eventsUrl: `${url}/event`,
      graphqlUrl: `${url}/graphql`,
      metricsUrl: `${url}${METRICS_CAPTURE_PATH}`,
      dynamodbEndpoint: services.dynamodb.endpoint,
      bedrockEndpoint: sideServices.bedrockEndpoint,
      // The pool functions with `readsUserPool` look users up in (cognito-local supports ListUsers' `sub = "…"` filter).
      userPoolId: services.cognito.userPoolId,
      cognitoEndpoint: services.cognito.endpoint,
      caPath: services.certificate.caPath,
      metricsNamespace: 'Sluice',
    },
  });

  const context: TwinContext = {
    manifest,
    url,
    host: `${hostname}:${port}`,
    region: LOCAL_REGION,
    apiKey: usesApiKeys(manifest) ? (options.apiKey ?? `da2-${randomBytes(13).toString('hex')}`) : undefined,
    iam: LOCAL_IAM,
    cognito: services.cognito,
    dynamodb: {
      endpoint: services.dynamodb.endpoint,
      tablePrefix,
      tableName: (logicalName) => physicalTableName(tablePrefix, { name: logicalName }),
    },
    bedrockEndpoint: sideServices.bedrockEndpoint,
    lambda,
    caPath: services.certificate.caPath,
    log,
  };

  for (const factory of [createCognitoProxy, createMetricsCapture, ...(options.components ?? defaultComponents)]) {
    components.push(await orCloseServer(Promise.resolve(factory(context))));
  }

  // The cloud's EventBridge schedules become timers on the twin.
  const scheduleTimers = (manifest.schedules ?? []).map((schedule) =>
    setInterval(() => {
      lambda.invoke(schedule.functionName, { source: 'sluice.twin.schedule', name: schedule.name }).catch((error: Error) => {
        log(`[schedule] ${schedule.name} failed: ${error.message}`);
      });
    }, schedule.everyMinutes * 60_000).unref(),
  );

  ready = true;

  // The sweeper publishes each ended turn's error event, so it runs once the twin serves;
  // start waits for it, so a client that comes back meets ended turns, never STREAMING ones.
  if (leftOpen && manifest.functions.some((fn) => fn.name === SWEEPER_FUNCTION)) {
    try {
      const outcome = (await lambda.invoke(SWEEPER_FUNCTION, { source: TWIN_START_SOURCE })) as { released?: number; ended?: number };
      log(`[twin] ended ${outcome.ended ?? 0} turn(s) interrupted when the twin last stopped; released ${outcome.released ?? 0} reservation(s) never started`);
    } catch (error) {
      log(`[twin] could not end the turns interrupted when the twin last stopped: ${(error as Error).message}`);
    }
  }

  return {
    url,
    port,
    context,
    outputs: amplifyOutputs(context),
    components,
    bedrock: sideServices.bedrockFaults,
    async close() {
      for (const timer of scheduleTimers) clearInterval(timer);
      for (const component of [...components].reverse()) await component.close?.();
      await lambda.drain();
      await lambda.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await sideServices.close();
    },
  };
}
