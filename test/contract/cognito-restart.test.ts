/**
 * A restart keeps what users and admins made in cognito-local: the demo users' group
 * memberships and one an admin added, as a fresh access token's `cognito:groups` says.
 * (cognito-local's CreateGroup replaces an existing group, members and all, so a seeding
 * that re-creates groups on every start loses them.)
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../../infra/gateway.js';
import { DEMO_USERS, startCognitoLocal, type LocalCognito } from '../../infra/local/cognito.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../../infra/local/dynamodb.js';

const PASSWORD = 'Sluice-demo-1';
const CAROL = 'carol.restart@example.com';
let dataDir: string;
let cognito: LocalCognito | undefined;

function clientOf(c: LocalCognito) {
  return new CognitoIdentityProviderClient({ endpoint: c.endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
}

/** Signs in with USER_PASSWORD_AUTH and reads the access token's `cognito:groups`. */
async function groupsInFreshToken(c: LocalCognito, email: string): Promise<string[]> {
  const client = clientOf(c);
  try {
    const { AuthenticationResult } = await client.send(
      new InitiateAuthCommand({ ClientId: c.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
    );
    const payload = JSON.parse(Buffer.from(AuthenticationResult!.AccessToken!.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    return ((payload['cognito:groups'] as string[] | undefined) ?? []).slice().sort();
  } finally {
    client.destroy();
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-cognito-restart-'));
});

afterAll(async () => {
  await cognito?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('cognito-local across a restart on the same state folder', () => {
  it('keeps the demo users, their groups and a membership an admin added', async () => {
    cognito = await startCognitoLocal({ dataDir, groups: gateway.cognitoGroups });
    const poolId = cognito.userPoolId;
    const admin = clientOf(cognito);
    await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: CAROL, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: CAROL }] }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: CAROL, Password: PASSWORD, Permanent: true }));
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: CAROL, GroupName: 'power-users' }));
    // An admin promotes bob beyond what the seed gives him.
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'bob@example.com', GroupName: 'power-users' }));
    admin.destroy();
    expect(await groupsInFreshToken(cognito, 'bob@example.com')).toEqual(['power-users', 'users']);
    const subsBefore = cognito.userSubs;

    await cognito.stop();
    cognito = await startCognitoLocal({ dataDir, groups: gateway.cognitoGroups });

    expect(cognito.userPoolId).toBe(poolId);
    expect(cognito.userSubs).toEqual(subsBefore);
    for (const user of DEMO_USERS.filter((u) => u.email !== 'bob@example.com')) {
      expect(await groupsInFreshToken(cognito, user.email)).toEqual([...user.groups].sort());
    }
    expect(await groupsInFreshToken(cognito, 'bob@example.com')).toEqual(['power-users', 'users']);
    expect(await groupsInFreshToken(cognito, CAROL)).toEqual(['power-users']);
  });
});
