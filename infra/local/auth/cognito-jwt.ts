import { JwtRsaVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, JwtInvalidClaimError, JwtInvalidSignatureError, JwtParseError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { safeMessage } from '../../../functions/shared/failure.js';
import type { CognitoIdentity } from './types.js';

/** The Cognito token uses AppSync accepts in an `Authorization` header. */
const ACCEPTED_TOKEN_USES = ['access', 'id'];

export interface CognitoJwtVerifierOptions {
  /** `iss` of the pool's tokens (cognito-local's URL plus the pool id). */
  issuer: string;
  /** Where the pool publishes its JWKS; cognito-local serves it over plain http. */
  jwksUri: string;
  /** @default globalThis.fetch */
  fetchJwks?: (uri: string) => Promise<unknown>;
}

/** A claim Sluice's own check refuses (token use, sub). */
class TokenClaimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenClaimError';
  }
}

/**
 * Why a token was refused, in words that name the token's fault and never quote the
 * parser (a garbage token must not answer "SyntaxError: Unexpected end of JSON input").
 */
function refusalReason(error: unknown): string {
  if (error instanceof JwtExpiredError) return 'Token has expired.';
  if (error instanceof JwtParseError) return 'Unable to parse JWT token.';
  if (error instanceof JwtInvalidSignatureError || error instanceof KidNotFoundInJwksError) return 'Invalid JWT signature.';
  // Claim errors are aws-jwt-verify's and ours (issuer, token use): facts about the token, safe to name.
  if (error instanceof JwtInvalidClaimError || error instanceof TokenClaimError) return `Invalid token: ${error.message}`;
  return 'Invalid JWT token.';
}

/** A verified token, or why it was refused. */
export type JwtCheck = { ok: true; payload: JwtPayload } | { ok: false; message: string };

/**
 * Verifies Cognito user pool JWTs (access or ID tokens) with aws-jwt-verify. Its Node
 * fetcher only speaks https and cognito-local serves http, so the JWKS is fetched here
 * and handed to the verifier with `cacheJwks`; signature, issuer and expiry checks
 * stay aws-jwt-verify's own.
 *
 * @example
 * ```ts
 * const verifier = createCognitoJwtVerifier({ issuer: cognito.issuer, jwksUri: cognito.jwksUri });
 * const check = await verifier.verify(accessToken);
 * ```
 */
export function createCognitoJwtVerifier(options: CognitoJwtVerifierOptions) {
  const verifier = JwtRsaVerifier.create({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    // Access tokens carry `client_id`, not `aud`; AppSync accepts any client of the pool.
    audience: null,
    customJwtCheck: ({ payload }) => {
      if (!ACCEPTED_TOKEN_USES.includes(String(payload.token_use))) {
        throw new TokenClaimError(`Token use ${String(payload.token_use)} is not accepted`);
      }
      if (typeof payload.sub !== 'string') throw new TokenClaimError('Token has no sub');
    },
  });
  const fetchJwks = options.fetchJwks ?? (async (uri: string) => (await fetch(uri)).json());
  let jwksLoaded: Promise<void> | undefined;

  const loadJwks = (): Promise<void> => {
    jwksLoaded = fetchJwks(options.jwksUri).then((jwks) => verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]));
    // A failed fetch must not stick: the next request tries again.
    jwksLoaded.catch(() => (jwksLoaded = undefined));
    return jwksLoaded;
  };

  const verifyCached = (token: string): JwtCheck => {
    try {
      return { ok: true, payload: verifier.verifySync(token) as JwtPayload };
    } catch (error) {
      if (error instanceof KidNotFoundInJwksError) throw error;
      return { ok: false, message: refusalReason(error) };
    }
  };

  return {
    async verify(token: string): Promise<JwtCheck> {
      try {
        await (jwksLoaded ?? loadJwks());
      } catch (error) {
        return { ok: false, message: `Cannot fetch the user pool's signing keys (${safeMessage((error as Error).message)}).` };
      }
      try {
        return verifyCached(token);
      } catch {
        // The pool may have rotated its keys (a cognito-local reset): refetch once.
        try {
          await loadJwks();
          return verifyCached(token);
        } catch (error) {
          return { ok: false, message: refusalReason(error) };
        }
      }
    },
  };
}

/**
 * Builds `ctx.identity` from a verified Cognito token.
 *
 * @example
 * ```ts
 * const identity = cognitoIdentity(check.payload, '203.0.113.7');
 * ```
 */
export function cognitoIdentity(payload: JwtPayload, sourceIp: string): CognitoIdentity {
  const groups = payload['cognito:groups'];
  const username = payload['cognito:username'] ?? payload.username ?? payload.sub;
  return {
    sub: String(payload.sub),
    issuer: String(payload.iss),
    username: String(username),
    claims: { ...payload },
    sourceIp: [sourceIp],
    defaultAuthStrategy: 'ALLOW',
    groups: Array.isArray(groups) && groups.length > 0 ? groups.map(String) : null,
  };
}
