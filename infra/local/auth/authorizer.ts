import { timingSafeEqual } from 'node:crypto';
import { AuthMode } from '../../gateway.js';
import type { TwinContext } from '../context.js';
import { cognitoIdentity, createCognitoJwtVerifier } from './cognito-jwt.js';
import { isSigV4Authorization, verifySigV4 } from './sigv4.js';
import { forbidden, unauthorized, type AuthOutcome, type AuthRequest, type Authorizer, type IamIdentity } from './types.js';

/** The caller address reported when the transport does not give one. */
const DEFAULT_SOURCE_IP = '127.0.0.1';

/** The parts of the twin's context the authorizer reads. */
export type AuthorizerContext = Pick<TwinContext, 'apiKey' | 'cognito' | 'iam' | 'region'>;

export interface AuthorizerOptions {
  /** Clock for SigV4's skew check. @default Date.now */
  now?: () => number;
}

/**
 * Decides which auth mode a request uses from its headers (`authorization:
 * AWS4-HMAC-SHA256 …` is IAM, any other `authorization` is a Cognito JWT, `x-api-key`
 * is an API key), refuses modes the operation does not allow, then verifies the
 * credential and returns the caller's `ctx.identity`. Shared by the Events and
 * GraphQL twins.
 *
 * @example
 * ```ts
 * const authorizer = createAuthorizer(context);
 * const outcome = await authorizer.authorize({ headers, body, method: 'POST', path: '/event', allowedModes: ['AWS_IAM'] });
 * if (!outcome.ok) reply(outcome.status, outcome.errorType, outcome.message);
 * ```
 */
export function createAuthorizer(context: AuthorizerContext, options: AuthorizerOptions = {}): Authorizer {
  const jwt = createCognitoJwtVerifier({ issuer: context.cognito.issuer, jwksUri: context.cognito.jwksUri });

  return {
    async authorize(request: AuthRequest): Promise<AuthOutcome> {
      const sourceIp = request.sourceIp ?? DEFAULT_SOURCE_IP;
      const authorization = request.headers.authorization?.trim();
      const apiKey = request.headers['x-api-key'];
      const mode = isSigV4Authorization(authorization) ? AuthMode.IAM : authorization ? AuthMode.COGNITO : apiKey !== undefined ? AuthMode.API_KEY : undefined;
      if (!mode) return unauthorized('Valid authorization header not provided.');
      if (!request.allowedModes.includes(mode)) {
        return unauthorized(`Authorization mode ${mode} is not allowed for this operation; allowed: ${request.allowedModes.join(', ') || 'none'}.`);
      }

      if (mode === AuthMode.API_KEY) {
        const valid = context.apiKey !== undefined && sameSecret(apiKey ?? '', context.apiKey);
        return valid ? { ok: true, mode, identity: null } : unauthorized('You are not authorized to make this call.');
      }

      if (mode === AuthMode.COGNITO) {
        const token = authorization!.replace(/^Bearer\s+/i, '');
        const check = await jwt.verify(token);
        return check.ok ? { ok: true, mode, identity: cognitoIdentity(check.payload, sourceIp) } : unauthorized(check.message);
      }

      const check = await verifySigV4(
        { method: request.method, path: request.path, headers: request.headers, body: request.body },
        { credentials: context.iam, region: context.region, now: options.now },
      );
      if (!check.ok) return check.status === 401 ? unauthorized(check.message) : forbidden(check.message);
      const identity: IamIdentity = {
        accountId: context.iam.accountId,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        sourceIp: [sourceIp],
        username: check.accessKeyId,
        userArn: context.iam.userArn,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
      };
      return { ok: true, mode, identity };
    },
  };
}

/** Compares secrets without leaking, through timing, how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Lower-cases header names and joins repeated values, the shape {@link AuthRequest}
 * takes. Non-string values (from a WebSocket `authorization` object) are dropped.
 *
 * @example
 * ```ts
 * const headers = lowerCaseHeaders(frame.authorization);
 * ```
 */
export function lowerCaseHeaders(source: Record<string, unknown> | undefined | null): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  if (!source || typeof source !== 'object') return headers;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
    else if (Array.isArray(value)) headers[name.toLowerCase()] = value.filter((v) => typeof v === 'string').join(', ');
  }
  return headers;
}
