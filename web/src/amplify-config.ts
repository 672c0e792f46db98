import type { ResourcesConfig } from 'aws-amplify';
import { parseAmplifyConfig } from 'aws-amplify/utils';

/** The parts of `amplify_outputs.json` this helper reads. */
export interface SluiceOutputs {
  custom?: { local?: { cognito_endpoint?: string } } & Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Turns `amplify_outputs.json` into Amplify's config. In the cloud that is
 * `parseAmplifyConfig(outputs)` alone; on the twin it also points Cognito at
 * cognito-local (through the twin's /cognito proxy), which the Gen 2 file cannot say.
 * Sign in with `authFlowType: 'USER_PASSWORD_AUTH'` there: cognito-local has no SRP.
 *
 * @example
 * ```ts
 * Amplify.configure(amplifyConfig(outputs));
 * await signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
 * ```
 */
export function amplifyConfig(outputs: SluiceOutputs): ResourcesConfig {
  const config = parseAmplifyConfig(outputs as Parameters<typeof parseAmplifyConfig>[0]);
  const userPoolEndpoint = outputs.custom?.local?.cognito_endpoint;
  const cognito = config.Auth?.Cognito;
  if (userPoolEndpoint && cognito && 'userPoolId' in cognito && cognito.userPoolId) {
    // Amplify's config type is a union the spread cannot narrow; the value is a user-pool config.
    return { ...config, Auth: { Cognito: { ...cognito, userPoolEndpoint } } } as ResourcesConfig;
  }
  return config;
}

/** True when the outputs describe the local twin rather than a deployed stack. */
export function isLocalTwin(outputs: SluiceOutputs): boolean {
  return Boolean(outputs.custom?.local?.cognito_endpoint);
}
