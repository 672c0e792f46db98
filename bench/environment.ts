/**
 * The system under test: cognito-local, an in-memory DynamoDB Local and a twin on a free
 * port, all started by the bench, plus signed-in Cognito users whose budget and request
 * rate an admin override lifts so the bench measures streaming, not admission refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { documentClient, setBudgetOverride, BUDGETS_TABLE, LEDGER_TABLE, type LedgerDeps } from '../functions/shared/ledger/index.js';
import { dynamoDbClient, LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../infra/local/dynamodb.js';
import { startBackingServices, startTwin, type BackingServices, type Twin } from '../infra/local/twin.js';
import { defaultComponents } from '../infra/local/components.js';
import { publishTapComponent, startDynamoDbTapProxy, type DynamoDbTapProxy } from './http-tap.js';
import { recordModelCalls, type ModelCallRecorder } from './model-calls.js';

/** A signed-in bench user: what a browser tab holds after sign-in. */
export interface BenchUser {
  email: string;
  sub: string;
  accessToken: string;
}

export interface BenchEnvironment {
  services: BackingServices;
  twin: Twin;
  users: BenchUser[];
  /** When the Bedrock simulator received each model call and sent its first token. */
  modelCalls: ModelCallRecorder;
  /** Lines the twin logged (Lambda failures land here). */
  twinLog: string[];
  close(): Promise<void>;
}

/** The Cognito group bench users join: the everyday policy a real user has. */
const BENCH_GROUP = 'users';
const BENCH_PASSWORD = 'Sluice-bench-1';
/** Lifted limits: far above what any bench run spends or starts in a minute. */
const BENCH_OVERRIDE = { dailyLimitUsd: 10_000, monthlyLimitUsd: 100_000, requestsPerMinute: 100_000 } as const;

/** The development CA's directory under a bench root; the parent process creates it before re-exec. */
export function certsDirOf(root: string): string {
  return join(root, 'certs');
}

/**
 * A fresh temporary root for one run's certificate and cognito-local data.
 * @example
 * const root = createBenchRoot(); // /tmp/sluice-bench-XXXX
 */
export function createBenchRoot(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-bench-'));
}

/**
 * Starts everything in this process (except cognito-local and DynamoDB Local, which run
 * as child processes as they do for `npm start`) and signs in `userCount` users.
 * The bench's own clients (WebSockets, GraphQL) run in this process and trust the CA as a
 * README user's Node client does: NODE_EXTRA_CA_CERTS must already name `certsDirOf(root)/ca.pem`.
 * The twin's functions need nothing: their environments trust the CA by themselves.
 * @example
 * const env = await startBenchEnvironment({ root, userCount: 10 });
 */
export async function startBenchEnvironment(options: { root: string; userCount: number }): Promise<BenchEnvironment> {
  const services = await startBackingServices({ certsDir: certsDirOf(options.root), cognitoDir: join(options.root, 'cognito') });
  const twinLog: string[] = [];
  const modelCalls = recordModelCalls();
  let twin: Twin | undefined;
  let dynamoDbProxy: DynamoDbTapProxy | undefined;
  try {
    // The gateway's DynamoDB calls go through a pass-through proxy, so the bench can time them.
    dynamoDbProxy = await startDynamoDbTapProxy(services.dynamodb.endpoint);
    twin = await startTwin({
      services: { ...services, dynamodb: { ...services.dynamodb, endpoint: dynamoDbProxy.endpoint } },
      port: 0,
      tablePrefix: 'bench-',
      components: [publishTapComponent, ...defaultComponents],
      onBedrockConverseStream: modelCalls.observe,
      log: (line) => twinLog.push(line),
    });
    const users = await createUsers(services, twin, options.userCount);
    const started = twin;
    return {
      services,
      twin,
      users,
      modelCalls,
      twinLog,
      async close() {
        await started.close();
        await dynamoDbProxy?.close();
        await services.stop();
      },
    };
  } catch (error) {
    await twin?.close().catch(() => undefined);
    await dynamoDbProxy?.close();
    await services.stop();
    throw error;
  }
}

/** Removes a bench root (certificate and cognito-local data). */
export function removeBenchRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

async function createUsers(services: BackingServices, twin: Twin, count: number): Promise<BenchUser[]> {
  const { endpoint, userPoolId, userPoolClientId } = services.cognito;
  const cognito = new CognitoIdentityProviderClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
  const dynamo = dynamoDbClient(services.dynamodb.endpoint);
  const ledger: LedgerDeps = {
    db: documentClient(dynamo),
    tables: { budgets: twin.context.dynamodb.tableName(BUDGETS_TABLE), ledger: twin.context.dynamodb.tableName(LEDGER_TABLE) },
  };
  try {
    const users: BenchUser[] = [];
    // One at a time: cognito-local keeps the pool in a JSON file and loses concurrent writes.
    for (let i = 0; i < count; i++) {
      const email = `bench-${i}@example.com`;
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: BENCH_PASSWORD, Permanent: true }));
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: BENCH_GROUP }));
      const auth = await cognito.send(
        new InitiateAuthCommand({ ClientId: userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: BENCH_PASSWORD } }),
      );
      const accessToken = auth.AuthenticationResult?.AccessToken;
      if (!accessToken) throw new Error(`Sign-in of ${email} returned no access token (challenge ${auth.ChallengeName ?? 'none'})`);
      const sub = subOf(accessToken);
      const override = await setBudgetOverride(ledger, { actor: { userId: 'sluice-bench' }, userId: sub, limits: BENCH_OVERRIDE });
      if (!override.ok) throw new Error(`Could not lift the bench user's limits: ${override.error.message}`);
      users.push({ email, sub, accessToken });
    }
    return users;
  } finally {
    cognito.destroy();
    dynamo.destroy();
  }
}

/** The `sub` claim of a JWT the bench just received from cognito-local (trusted: no verification needed here). */
function subOf(jwt: string): string {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as { sub?: unknown };
  if (typeof payload.sub !== 'string') throw new Error('access token without a sub claim');
  return payload.sub;
}
