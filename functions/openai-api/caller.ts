/**
 * Who is calling the OpenAI-compatible API: the bearer is a Sluice API key
 * (`sk-sluice-…`, ledger/api-keys.ts) or a Cognito access token of the user pool. A key acts
 * as its user: the user's groups are read from the pool on every request (not stored with
 * the key), so an admin's change applies at once. A token carries its groups itself, as
 * AppSync reads them.
 */
import { AdminListGroupsForUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { authenticateApiKey, looksLikeApiKey, type AuthenticatedKey, type LedgerDeps } from '../shared/ledger/index.js';

export interface ApiCaller {
  sub: string;
  username: string;
  groups: string[];
  /** Present when the caller used an API key. */
  key?: AuthenticatedKey;
}

export type CallerCheck = { ok: true; caller: ApiCaller } | { ok: false; message: string };

export interface CallerDeps {
  ledger: LedgerDeps;
  userPoolId: string;
  /** The pool's token issuer: `https://cognito-idp.<region>.amazonaws.com/<pool>` (cognito-local's URL on the twin). */
  issuer: string;
  cognito: CognitoIdentityProviderClient;
}

/** Most groups a user is read with (Cognito's default page is 25; Sluice configures three). */
const GROUPS_PAGE = 60;

export function callerDepsFromEnv(ledger: LedgerDeps, env: NodeJS.ProcessEnv = process.env): CallerDeps {
  const userPoolId = env.USER_POOL_ID;
  if (!userPoolId) throw new Error('USER_POOL_ID is not set');
  const region = env.AWS_REGION ?? 'us-east-1';
  const endpoint = env.SLUICE_COGNITO_ENDPOINT;
  return {
    ledger,
    userPoolId,
    issuer: endpoint ? `${endpoint}/${userPoolId}` : `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
    cognito: new CognitoIdentityProviderClient({ region, ...(endpoint ? { endpoint } : {}) }),
  };
}

/**
 * @example
 * const check = await identifyCaller(deps, event.headers.authorization);
 * if (!check.ok) return sendError(stream, unauthorized(check.message));
 */
export async function identifyCaller(deps: CallerDeps, authorization: string | undefined): Promise<CallerCheck> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return { ok: false, message: 'Missing bearer token: send `Authorization: Bearer <API key or Cognito access token>`.' };
  const token = match[1]!;
  if (looksLikeApiKey(token)) {
    const auth = await authenticateApiKey(deps.ledger, token);
    if (!auth.ok) {
      const why = auth.reason === 'revoked' ? 'has been revoked' : auth.reason === 'expired' ? 'has expired' : 'is not valid';
      return { ok: false, message: `The API key ${why}.` };
    }
    const groups = await userGroups(deps, auth.key.username);
    if (!groups) return { ok: false, message: 'The API key belongs to a user who no longer exists.' };
    return { ok: true, caller: { sub: auth.key.userId, username: auth.key.username, groups, key: auth.key } };
  }
  const payload = await verifyAccessToken(deps, token);
  if (!payload) return { ok: false, message: 'The bearer token is neither a valid API key nor a valid access token of the user pool.' };
  const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as string[]) : [];
  return { ok: true, caller: { sub: String(payload.sub), username: String(payload.username ?? payload.sub), groups } };
}

async function userGroups(deps: CallerDeps, username: string): Promise<string[] | undefined> {
  try {
    const { Groups } = await deps.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: deps.userPoolId, Username: username, Limit: GROUPS_PAGE }));
    return (Groups ?? []).map((group) => group.GroupName!).filter(Boolean);
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') return undefined;
    throw error;
  }
}

let verifier: { issuer: string; instance: ReturnType<typeof JwtRsaVerifier.create>; loaded: Promise<void> } | undefined;

/**
 * aws-jwt-verify checks signature, issuer and expiry. Its own JWKS fetcher speaks only
 * https, and cognito-local (the twin) serves http, so the JWKS is fetched here once per
 * container and handed over with `cacheJwks`.
 */
async function verifyAccessToken(deps: CallerDeps, token: string): Promise<JwtPayload | undefined> {
  if (verifier?.issuer !== deps.issuer) {
    const instance = JwtRsaVerifier.create({ issuer: deps.issuer, audience: null });
    const loaded = fetch(`${deps.issuer}/.well-known/jwks.json`)
      .then((response) => response.json())
      .then((jwks) => instance.cacheJwks(jwks as Parameters<typeof instance.cacheJwks>[0]));
    verifier = { issuer: deps.issuer, instance, loaded };
    loaded.catch(() => (verifier = undefined));
  }
  try {
    await verifier.loaded;
    const payload = await verifier.instance.verify(token);
    return payload.token_use === 'access' ? payload : undefined;
  } catch {
    return undefined;
  }
}
