import { Expiration } from 'aws-cdk-lib';
import { AppSyncAuthorizationType, AuthorizationType, type AppSyncAuthProvider, type AuthorizationMode } from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { AuthMode } from '../gateway.js';
import { API_KEY_LIFETIME } from './defaults.js';

/**
 * Maps the manifest's auth modes (spelled as AppSync spells them) to the CDK's two
 * vocabularies: Events API auth providers and GraphQL authorization modes.
 *
 * @example
 * ```ts
 * eventsAuthProvider(AuthMode.COGNITO, userPool); // { authorizationType: USER_POOL, cognitoConfig: { userPool } }
 * ```
 */
export function eventsAuthProvider(mode: AuthMode, userPool: IUserPool): AppSyncAuthProvider {
  switch (mode) {
    case AuthMode.COGNITO:
      return { authorizationType: AppSyncAuthorizationType.USER_POOL, cognitoConfig: { userPool } };
    case AuthMode.IAM:
      return { authorizationType: AppSyncAuthorizationType.IAM };
    case AuthMode.API_KEY:
      return { authorizationType: AppSyncAuthorizationType.API_KEY, apiKeyConfig: { expires: Expiration.after(API_KEY_LIFETIME) } };
    default:
      throw new RangeError(`Auth mode ${mode} is not supported by the Sluice stack (no Lambda authorizer in the manifest)`);
  }
}

/** The manifest auth mode as the Events API's enum (same strings). */
export function eventsAuthType(mode: AuthMode): AppSyncAuthorizationType {
  return mode as unknown as AppSyncAuthorizationType;
}

/** A GraphQL API authorization mode for a manifest auth mode. */
export function graphqlAuthMode(mode: AuthMode, userPool: IUserPool): AuthorizationMode {
  switch (mode) {
    case AuthMode.COGNITO:
      return { authorizationType: AuthorizationType.USER_POOL, userPoolConfig: { userPool } };
    case AuthMode.IAM:
      return { authorizationType: AuthorizationType.IAM };
    case AuthMode.API_KEY:
      return { authorizationType: AuthorizationType.API_KEY, apiKeyConfig: { expires: Expiration.after(API_KEY_LIFETIME) } };
    default:
      throw new RangeError(`Auth mode ${mode} is not supported by the Sluice stack (no Lambda authorizer in the manifest)`);
  }
}
