import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { AuthMode } from '../../infra/gateway.js';
import { createAuthorizer } from '../../infra/local/auth/authorizer.js';
import type { AuthRequest, Authorizer, CognitoIdentity, IamIdentity } from '../../infra/local/auth/types.js';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import { LOCAL_REGION } from '../../infra/local/dynamodb.js';
import { LOCAL_IAM } from '../../infra/local/twin.js';

const API_KEY = 'da2-unit-test-key';
const HOST = 'localhost:8443';
const ALL_MODES = [AuthMode.API_KEY, AuthMode.COGNITO, AuthMode.IAM];

/** cognito-local signs with a key it ships; tests sign with it to forge valid-but-expired tokens. */
function cognitoLocalKey(): KeyObject {
  const path = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return createPrivateKey({ key: (JSON.parse(readFileSync(path, 'utf8')) as { jwk: object }).jwk as never, format: 'jwk' });
}

function signJwt(payload: Record<string, unknown>, key: KeyObject, kid = 'CognitoLocal'): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode(payload)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

async function signSigV4(body: string, options: { secret?: string; date?: Date; headers?: Record<string, string>; applyChecksum?: boolean } = {}) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: LOCAL_IAM.accessKeyId, secretAccessKey: options.secret ?? LOCAL_IAM.secretAccessKey },
    region: LOCAL_REGION,
    service: 'appsync',
    sha256: Sha256,
    applyChecksum: options.applyChecksum,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: 'POST', protocol: 'https:', hostname: 'localhost', port: 8443, path: '/event', headers: { host: HOST, 'content-type': 'application/json', ...options.headers }, body }),
    { signingDate: options.date },
  );
  return signed.headers as Record<string, string>;
}

function request(headers: Record<string, string>, overrides: Partial<AuthRequest> = {}): AuthRequest {
  return { headers, body: '{}', method: 'POST', path: '/event', allowedModes: ALL_MODES, ...overrides };
}

describe('createAuthorizer', () => {
  const cognito = inject('services').cognito;
  let authorizer: Authorizer;
  let tokens: { AccessToken: string; IdToken: string };

  beforeAll(async () => {
    authorizer = createAuthorizer({ apiKey: API_KEY, cognito: { ...cognito, stop: async () => undefined }, iam: LOCAL_IAM, region: LOCAL_REGION });
    const response = await fetch(`${cognito.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: cognito.userPoolClientId,
        AuthParameters: { USERNAME: DEMO_USERS[2].email, PASSWORD: DEMO_USERS[2].password },
      }),
    });
    tokens = ((await response.json()) as { AuthenticationResult: typeof tokens }).AuthenticationResult;
  });

  describe('missing or disallowed credentials', () => {
    it('refuses a request without credentials with 401 UnauthorizedException', async () => {
      // Act
      const outcome = await authorizer.authorize(request({}));
      // Assess
      expect(outcome).toMatchObject({ ok: false, status: 401, errorType: 'UnauthorizedException' });
    });

    it('refuses a valid API key where the operation allows only IAM', async () => {
      const outcome = await authorizer.authorize(request({ 'x-api-key': API_KEY }, { allowedModes: [AuthMode.IAM] }));
      expect(outcome).toMatchObject({ ok: false, status: 401 });
      expect(outcome.ok || outcome.message).toContain('API_KEY is not allowed');
    });
  });

  describe('API key', () => {
    it('accepts the twin API key with no identity', async () => {
      expect(await authorizer.authorize(request({ 'x-api-key': API_KEY }))).toEqual({ ok: true, mode: AuthMode.API_KEY, identity: null });
    });

    it('refuses another key with 401', async () => {
      expect(await authorizer.authorize(request({ 'x-api-key': `${API_KEY}x` }))).toMatchObject({ ok: false, status: 401 });
    });
  });

  describe('Cognito user pool JWT', () => {
    it('accepts an access token and builds the Cognito identity with groups', async () => {
      // Act
      const outcome = await authorizer.authorize(request({ authorization: tokens.AccessToken }, { sourceIp: '203.0.113.9' }));
      // Assess
      expect(outcome.ok).toBe(true);
      const identity = (outcome as { identity: CognitoIdentity }).identity;
      expect(identity.sub).toBe(cognito.userSubs[DEMO_USERS[2].email]);
      expect(identity).toMatchObject({ issuer: cognito.issuer, defaultAuthStrategy: 'ALLOW', sourceIp: ['203.0.113.9'] });
      expect(identity.groups).toEqual(['admins', 'users']);
      expect(identity.claims.token_use).toBe('access');
    });

    it('accepts an ID token with a Bearer prefix and takes the username from cognito:username', async () => {
      const outcome = await authorizer.authorize(request({ authorization: `Bearer ${tokens.IdToken}` }));
      expect(outcome).toMatchObject({ ok: true, mode: AuthMode.COGNITO });
      expect((outcome as { identity: CognitoIdentity }).identity.username).toBe(
        JSON.parse(Buffer.from(tokens.IdToken.split('.')[1], 'base64url').toString())['cognito:username'],
      );
    });

    it('refuses an expired token signed with the pool key', async () => {
      // Prepare
      const now = Math.floor(Date.now() / 1000);
      const claims = JSON.parse(Buffer.from(tokens.AccessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      const expired = signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, cognitoLocalKey());
      // Act
      const outcome = await authorizer.authorize(request({ authorization: expired }));
      // Assess
      expect(outcome).toMatchObject({ ok: false, status: 401, message: 'Token has expired.' });
    });

    it('refuses a token signed with a foreign key under the pool key id', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const claims = JSON.parse(Buffer.from(tokens.AccessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      const outcome = await authorizer.authorize(request({ authorization: signJwt(claims, privateKey) }));
      expect(outcome).toMatchObject({ ok: false, status: 401 });
    });

    it('refuses a token from another issuer', async () => {
      const claims = JSON.parse(Buffer.from(tokens.AccessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      const outcome = await authorizer.authorize(request({ authorization: signJwt({ ...claims, iss: 'https://evil.example/pool' }, cognitoLocalKey()) }));
      expect(outcome).toMatchObject({ ok: false, status: 401 });
    });

    it('refuses garbage with 401 rather than throwing', async () => {
      expect(await authorizer.authorize(request({ authorization: 'not-a-jwt' }))).toMatchObject({ ok: false, status: 401 });
    });

    it.each([
      ['a truncated token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi'],
      ['a header that is not JSON', `${Buffer.from('{"alg":').toString('base64url')}.e30.c2ln`],
    ])('refuses %s without quoting the JSON parser', async (_label, token) => {
      // Act
      const outcome = await authorizer.authorize(request({ authorization: token }));
      // Assess
      expect(outcome).toMatchObject({ ok: false, status: 401 });
      expect((outcome as { message: string }).message).not.toMatch(/SyntaxError|Unexpected|JSON/);
    });
  });

  describe('IAM SigV4', () => {
    const body = JSON.stringify({ channel: '/chat/x', events: ['{"a":1}'] });

    it('accepts a request signed with the twin credentials and builds the IAM identity', async () => {
      // Prepare
      const headers = await signSigV4(body);
      // Act
      const outcome = await authorizer.authorize(request(headers, { body }));
      // Assess
      expect(outcome).toMatchObject({ ok: true, mode: AuthMode.IAM });
      const identity = (outcome as { identity: IamIdentity }).identity;
      expect(identity).toMatchObject({ accountId: LOCAL_IAM.accountId, userArn: LOCAL_IAM.userArn, cognitoIdentityPoolId: null });
    });

    it('refuses an unsigned garbage x-amz-security-token beside a valid signature', async () => {
      // Prepare
      const headers = await signSigV4(body);
      // Act
      const outcome = await authorizer.authorize(request({ ...headers, 'x-amz-security-token': 'garbage' }, { body }));
      // Assess
      expect(outcome).toMatchObject({ ok: false, status: 403, message: 'The security token included in the request is invalid.' });
    });

    it('refuses a signature made with the wrong secret with 403', async () => {
      const headers = await signSigV4(body, { secret: 'not-the-secret' });
      const outcome = await authorizer.authorize(request(headers, { body }));
      expect(outcome).toMatchObject({ ok: false, status: 403, errorType: 'ForbiddenException' });
      expect(outcome.ok || outcome.message).toContain('signature we calculated does not match');
    });

    it('refuses a body other than the one signed, whatever x-amz-content-sha256 claims', async () => {
      // Prepare: the signer put the hash of `body` in x-amz-content-sha256.
      const headers = await signSigV4(body);
      // Act
      const outcome = await authorizer.authorize(request(headers, { body: body.replace('/chat/x', '/chat/y') }));
      // Assess
      expect(outcome).toMatchObject({ ok: false, status: 403 });
    });

    it('refuses a body other than the one signed when no content hash header is sent', async () => {
      // Prepare: signed like Amplify's realtime provider, without the content hash header.
      const headers = await signSigV4(body, { applyChecksum: false });
      expect(headers['x-amz-content-sha256']).toBeUndefined();
      // Act + Assess
      expect(await authorizer.authorize(request(headers, { body }))).toMatchObject({ ok: true });
      expect(await authorizer.authorize(request(headers, { body: `${body} ` }))).toMatchObject({ ok: false, status: 403 });
    });

    it('refuses a signature older than the allowed clock skew', async () => {
      const headers = await signSigV4(body, { date: new Date(Date.now() - 10 * 60 * 1000) });
      const outcome = await authorizer.authorize(request(headers, { body }));
      expect(outcome).toMatchObject({ ok: false, status: 403 });
      expect(outcome.ok || outcome.message).toContain('Signature expired');
    });

    it('refuses an unknown access key', async () => {
      const headers = await signSigV4(body);
      headers.authorization = headers.authorization.replace(LOCAL_IAM.accessKeyId, 'AKIAOTHERKEY00000000');
      expect(await authorizer.authorize(request(headers, { body }))).toMatchObject({ ok: false, status: 403 });
    });

    it('refuses a signature made for another path', async () => {
      const headers = await signSigV4(body);
      expect(await authorizer.authorize(request(headers, { body, path: '/graphql' }))).toMatchObject({ ok: false, status: 403 });
    });
  });
});
