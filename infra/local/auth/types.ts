import type { AuthMode } from '../../gateway.js';

/**
 * `ctx.identity` for a caller signed in with a Cognito user pool token, as AppSync
 * fills it.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/context-reference.html
 */
export interface CognitoIdentity {
  sub: string;
  issuer: string;
  /** `cognito:username` of an ID token, `username` of an access token. */
  username: string;
  claims: Record<string, unknown>;
  sourceIp: string[];
  defaultAuthStrategy: 'ALLOW';
  /** `cognito:groups`, or null when the user is in no group. */
  groups: string[] | null;
}

/** `ctx.identity` for a caller that signed with SigV4 (the gateway's IAM role). */
export interface IamIdentity {
  accountId: string;
  cognitoIdentityPoolId: null;
  cognitoIdentityId: null;
  sourceIp: string[];
  username: string;
  userArn: string;
  cognitoIdentityAuthType: null;
  cognitoIdentityAuthProvider: null;
}

/** What handlers see as `ctx.identity`; API_KEY callers have none (null). */
export type Identity = CognitoIdentity | IamIdentity;

/** One request to authorize, from HTTP headers or a WebSocket `authorization` object. */
export interface AuthRequest {
  /** Header names lower-cased; values as received. */
  headers: Record<string, string | undefined>;
  /** The exact body that arrived (or, on WebSocket, the body the client signed). */
  body: string;
  method: string;
  /** Path the client signed, e.g. `/event`. */
  path: string;
  /** Modes this operation accepts (namespace publish/subscribe modes, or the API's providers at connect). */
  allowedModes: readonly AuthMode[];
  /** Caller address for `identity.sourceIp`. @default '127.0.0.1' */
  sourceIp?: string;
}

/** The wire status and AppSync error type of a rejected request. */
export interface AuthFailure {
  ok: false;
  status: 401 | 403;
  errorType: 'UnauthorizedException' | 'ForbiddenException';
  message: string;
}

/** The result of {@link Authorizer.authorize}: who the caller is, or why not. */
export type AuthOutcome = { ok: true; mode: AuthMode; identity: Identity | null } | AuthFailure;

/** Authorizes requests against the twin's API key, Cognito pool and IAM credentials. */
export interface Authorizer {
  authorize(request: AuthRequest): Promise<AuthOutcome>;
}

/** Builds a 401 outcome (the caller did not prove who it is). */
export function unauthorized(message: string): AuthFailure {
  return { ok: false, status: 401, errorType: 'UnauthorizedException', message };
}

/** Builds a 403 outcome (the proof was presented and is wrong). */
export function forbidden(message: string): AuthFailure {
  return { ok: false, status: 403, errorType: 'ForbiddenException', message };
}
