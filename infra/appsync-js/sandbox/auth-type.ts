/**
 * `util.authType()`: AppSync names the authorization mode of a request, and a handler can
 * only tell it from the shape of `ctx.identity`. The rules below reproduce the answers
 * localstack/appsync-utils recorded from AWS (`__tests__/authType.test.js`): an identity must
 * carry every key of its mode, or AppSync falls back to "API Key Authorization".
 */

export const AUTH_TYPE = {
  API_KEY: 'API Key Authorization',
  IAM: 'IAM Authorization',
  USER_POOL: 'User Pool Authorization',
  OIDC: 'Open ID Connect Authorization',
  LAMBDA: 'Lambda Authorization',
} as const;
export type AuthType = (typeof AUTH_TYPE)[keyof typeof AUTH_TYPE];

const IAM_KEYS = [
  'accountId',
  'cognitoIdentityPoolId',
  'cognitoIdentityId',
  'sourceIp',
  'username',
  'userArn',
  'cognitoIdentityAuthType',
  'cognitoIdentityAuthProvider',
];
const USER_POOL_KEYS = ['sourceIp', 'username', 'sub', 'issuer', 'claims', 'defaultAuthStrategy'];
const OIDC_KEYS = ['sub', 'issuer', 'claims'];

/**
 * Reads the authorization mode off an identity.
 * @example
 * ```ts
 * authTypeOf({ resolverContext: {} }); // 'Lambda Authorization'
 * ```
 */
export function authTypeOf(identity: unknown): AuthType {
  if (identity === null || typeof identity !== 'object' || Array.isArray(identity)) return AUTH_TYPE.API_KEY;
  const record = identity as Record<string, unknown>;
  const keys = Object.keys(record);
  const has = (key: string) => Object.hasOwn(record, key);
  // Events names the Lambda authorizer's output `handlerContext`, GraphQL `resolverContext`.
  if (keys.length === 0 || has('resolverContext') || has('handlerContext')) return AUTH_TYPE.LAMBDA;
  if (has('accountId') || has('userArn')) {
    return IAM_KEYS.every(has) && record.sourceIp != null ? AUTH_TYPE.IAM : AUTH_TYPE.API_KEY;
  }
  if (has('username') || has('defaultAuthStrategy')) {
    return USER_POOL_KEYS.every(has) ? AUTH_TYPE.USER_POOL : AUTH_TYPE.API_KEY;
  }
  if (keys.length === OIDC_KEYS.length && OIDC_KEYS.every(has)) return AUTH_TYPE.OIDC;
  return AUTH_TYPE.API_KEY;
}
