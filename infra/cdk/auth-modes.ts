import { AppSyncAuthorizationType, AuthorizationType, type AppSyncAuthProvider, type AuthorizationMode } from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { AuthMode } from '../gateway.js';

/**
 * Maps the manifest's auth modes (spelled as AppSync spells them) to the CDK's two
 * vocabularies: Events API auth providers and GraphQL authorization modes. API keys are
 * refused: a key is published in amplify_outputs.json for anyone to read and expires
 * after at most 365 days with nothing to rotate it, so the stack creates none.
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
    default:
      throw unsupportedAuthMode(mode);
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
    default:
      throw unsupportedAuthMode(mode);
  }
}

function unsupportedAuthMode(mode: AuthMode): RangeError {
  const reason =
    mode === AuthMode.API_KEY
      ? 'an API key would be published in amplify_outputs.json and expire with no rotation; use Cognito or IAM'
      : 'no Lambda authorizer in the manifest';
  return new RangeError(`Auth mode ${mode} is not supported by the Sluice stack (${reason})`);
}
