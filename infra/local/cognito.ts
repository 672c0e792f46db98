import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from './dynamodb.js';
import { freePort, waitFor } from './ports.js';

/** The demo users a fresh twin has; the README lists them. */
export const DEMO_USERS = [
  { email: 'alice@example.com', password: 'Sluice-demo-1', groups: ['users'] },
  { email: 'bob@example.com', password: 'Sluice-demo-1', groups: ['users'] },
  { email: 'admin@example.com', password: 'Sluice-demo-1', groups: ['admins', 'users'] },
] as const;

export const USER_POOL_NAME = 'sluice-local';
export const APP_CLIENT_NAME = 'sluice-web';

export interface LocalCognito {
  /** cognito-local's own endpoint (plain HTTP, loopback). */
  endpoint: string;
  userPoolId: string;
  userPoolClientId: string;
  /** cognito-local's process id, when this process started it (npm start records it). */
  pid?: number;
  /** The `iss` claim of the tokens cognito-local signs. */
  issuer: string;
  jwksUri: string;
  /** Cognito `sub` of each demo user, by email. */
  userSubs: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts cognito-local in `dataDir` (its `.cognito` folder lives there, so a second start
 * keeps users) and seeds the pool, the app client, the groups and the demo users.
 */
export async function startCognitoLocal(options: { dataDir: string; groups: string[]; port?: number }): Promise<LocalCognito> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  mkdirSync(join(options.dataDir, '.cognito'), { recursive: true });
  writeFileSync(
    join(options.dataDir, '.cognito', 'config.json'),
    JSON.stringify({ TokenConfig: { IssuerDomain: endpoint }, ServerConfig: { port, hostname: '127.0.0.1' } }, null, 2),
  );
  const bin = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
  const child: ChildProcess = spawn(process.execPath, [bin], {
    cwd: options.dataDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  // If the twin's process exits without stopping us (an uncaught error, process.exit), take the child along.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const client = new CognitoIdentityProviderClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
  try {
    await waitFor('cognito-local', async () => {
      if (child.exitCode !== null) throw new Error(output);
      await client.send(new ListUserPoolsCommand({ MaxResults: 1 }));
      return true;
    });
    const seeded = await seed(client, options.groups);
    return {
      endpoint,
      ...seeded,
      issuer: `${endpoint}/${seeded.userPoolId}`,
      jwksUri: `${endpoint}/${seeded.userPoolId}/.well-known/jwks.json`,
      pid: child.pid,
      async stop() {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      },
    };
  } catch (error) {
    child.kill();
    throw new Error(`cognito-local failed to start: ${output}`, { cause: error });
  } finally {
    client.destroy();
  }
}

async function seed(client: CognitoIdentityProviderClient, groups: string[]) {
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((pool) => pool.Name === USER_POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await client.send(
      new CreateUserPoolCommand({ PoolName: USER_POOL_NAME, UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }),
    );
    userPoolId = created.UserPool!.Id!;
  }
  const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let userPoolClientId = clients.UserPoolClients?.find((c) => c.ClientName === APP_CLIENT_NAME)?.ClientId;
  if (!userPoolClientId) {
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: APP_CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    userPoolClientId = created.UserPoolClient!.ClientId!;
  }
  // cognito-local's CreateGroup overwrites an existing group with an empty one (AWS would
  // answer GroupExistsException), dropping every membership: create only the missing ones.
  const existingGroups = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, NextToken: nextToken }));
    for (const group of page.Groups ?? []) if (group.GroupName) existingGroups.add(group.GroupName);
    nextToken = page.NextToken;
  } while (nextToken);
  for (const group of groups.filter((g) => !existingGroups.has(g))) {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
  const userSubs: Record<string, string> = {};
  for (const user of DEMO_USERS) {
    userSubs[user.email] = await ensureUser(client, userPoolId, user);
  }
  return { userPoolId, userPoolClientId, userSubs };
}

async function ensureUser(
  client: CognitoIdentityProviderClient,
  UserPoolId: string,
  user: (typeof DEMO_USERS)[number],
): Promise<string> {
  const subOf = (attributes?: { Name?: string; Value?: string }[]) => attributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  try {
    const existing = await client.send(new AdminGetUserCommand({ UserPoolId, Username: user.email }));
    return subOf(existing.UserAttributes);
  } catch (error) {
    if (!(error instanceof UserNotFoundException) && (error as Error).name !== 'UserNotFoundException') throw error;
  }
  const created = await client.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username: user.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: user.email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: user.email, Password: user.password, Permanent: true }));
  for (const group of user.groups) {
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: user.email, GroupName: group }));
  }
  return subOf(created.User?.Attributes);
}
