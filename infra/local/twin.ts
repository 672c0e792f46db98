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
import { listenTwinServer } from './twin-server.js';

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

  // The port opens first and answers 503 until the components below are set up.
  const components: TwinComponent[] = [];
  const server = await listenTwinServer({ certificate: services.certificate, port: options.port ?? DEFAULT_PORT, hostname, components, log });
  const { url, port } = server;
  const leftOpen = await server.orClose(prepareTables(services.dynamodb.endpoint, manifest, tablePrefix));
  const sideServices = await server.orClose(startSideServices({ bedrockSpeed: options.bedrockSpeed, onConverseStream: options.onBedrockConverseStream }));
  const lambda = functionInvoker(options, { manifest, url, tablePrefix, bedrockEndpoint: sideServices.bedrockEndpoint, log });
  const context = twinContext(options, { manifest, url, host: `${hostname}:${port}`, tablePrefix, bedrockEndpoint: sideServices.bedrockEndpoint, lambda, log });
  for (const factory of [createCognitoProxy, createMetricsCapture, ...(options.components ?? defaultComponents)]) {
    components.push(await server.orClose(Promise.resolve(factory(context))));
  }
  const scheduleTimers = startSchedules(manifest, lambda, log);
  server.open();
  if (leftOpen) await endTurnsLeftOpen(manifest, lambda, log);

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
      await server.close();
      await sideServices.close();
    },
  };
}

/** What every component is told about the running twin. */
function twinContext(
  options: TwinOptions,
  twin: Pick<TwinContext, 'manifest' | 'url' | 'host' | 'bedrockEndpoint' | 'lambda' | 'log'> & { tablePrefix: string },
): TwinContext {
  const { services } = options;
  const { tablePrefix } = twin;
  return {
    manifest: twin.manifest,
    url: twin.url,
    host: twin.host,
    region: LOCAL_REGION,
    apiKey: usesApiKeys(twin.manifest) ? (options.apiKey ?? `da2-${randomBytes(13).toString('hex')}`) : undefined,
    iam: LOCAL_IAM,
    cognito: services.cognito,
    dynamodb: {
      endpoint: services.dynamodb.endpoint,
      tablePrefix,
      tableName: (logicalName) => physicalTableName(tablePrefix, { name: logicalName }),
    },
    bedrockEndpoint: twin.bedrockEndpoint,
    lambda: twin.lambda,
    caPath: services.certificate.caPath,
    log: twin.log,
  };
}

/** Creates the manifest's tables; answers whether the last run left turns open (it was killed mid-stream). */
async function prepareTables(endpoint: string, manifest: GatewayManifest, tablePrefix: string): Promise<boolean> {
  const ddb = dynamoDbClient(endpoint);
  try {
    await ensureTables(ddb, manifest.tables, tablePrefix);
    const tracksTurns = ['Budgets', 'ChatRequests'].every((name) => manifest.tables.some((table) => table.name === name));
    return (
      tracksTurns &&
      (await hasOpenTurns(ddb, { budgets: physicalTableName(tablePrefix, { name: 'Budgets' }), requests: physicalTableName(tablePrefix, { name: 'ChatRequests' }) }))
    );
  } finally {
    ddb.destroy();
  }
}

/** Runs each manifest function in execution environments of its own, with the twin's endpoints in its environment. */
function functionInvoker(
  options: TwinOptions,
  twin: { manifest: GatewayManifest; url: string; tablePrefix: string; bedrockEndpoint: string; log: (line: string) => void },
): LocalLambdaInvoker {
  const { services } = options;
  return new LocalLambdaInvoker({
    functions: twin.manifest.functions,
    accountId: LOCAL_ACCOUNT_ID,
    overrides: options.lambdaOverrides,
    asyncRetryDelaysMs: options.asyncRetryDelaysMs,
    log: twin.log,
    settings: {
      region: LOCAL_REGION,
      accessKeyId: LOCAL_IAM.accessKeyId,
      secretAccessKey: LOCAL_IAM.secretAccessKey,
      tableVariables: tableEnvironment(twin.manifest.tables, (name) => physicalTableName(twin.tablePrefix, { name })),
      eventsUrl: `${twin.url}/event`,
      graphqlUrl: `${twin.url}/graphql`,
      metricsUrl: `${twin.url}${METRICS_CAPTURE_PATH}`,
      dynamodbEndpoint: services.dynamodb.endpoint,
      bedrockEndpoint: twin.bedrockEndpoint,
      // The pool functions with `readsUserPool` look users up in (cognito-local supports ListUsers' `sub = "…"` filter).
      userPoolId: services.cognito.userPoolId,
      cognitoEndpoint: services.cognito.endpoint,
      caPath: services.certificate.caPath,
      metricsNamespace: 'Sluice',
    },
  });
}

/** The cloud's EventBridge schedules become timers on the twin. */
function startSchedules(manifest: GatewayManifest, lambda: LocalLambdaInvoker, log: (line: string) => void): NodeJS.Timeout[] {
  return (manifest.schedules ?? []).map((schedule) =>
    setInterval(() => {
      lambda.invoke(schedule.functionName, { source: 'sluice.twin.schedule', name: schedule.name }).catch((error: Error) => {
        log(`[schedule] ${schedule.name} failed: ${error.message}`);
      });
    }, schedule.everyMinutes * 60_000).unref(),
  );
}

/**
 * Ends the turns the last run left open. The sweeper publishes each ended turn's error
 * event, so it runs once the twin serves; start waits for it, so a client that comes back
 * meets ended turns, never STREAMING ones.
 */
async function endTurnsLeftOpen(manifest: GatewayManifest, lambda: LocalLambdaInvoker, log: (line: string) => void): Promise<void> {
  if (!manifest.functions.some((fn) => fn.name === SWEEPER_FUNCTION)) return;
  try {
    const outcome = (await lambda.invoke(SWEEPER_FUNCTION, { source: TWIN_START_SOURCE })) as { released?: number; ended?: number };
    log(`[twin] ended ${outcome.ended ?? 0} turn(s) interrupted when the twin last stopped; released ${outcome.released ?? 0} reservation(s) never started`);
  } catch (error) {
    log(`[twin] could not end the turns interrupted when the twin last stopped: ${(error as Error).message}`);
  }
}
