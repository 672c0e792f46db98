import type { GatewayManifest } from '../gateway.js';
import { MIN_PASSWORD_LENGTH } from './auth.js';

export interface CloudEndpoints {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  graphqlUrl: string;
  eventsHttpDns: string;
  groups: string[];
}

/**
 * The deployed gateway's `amplify_outputs.json`, in the same Amplify Gen 2 shape the twin
 * writes (infra/local/outputs.ts) minus `custom.local`, so the web app configures itself
 * with `Amplify.configure(outputs)` on both hosts. Values may be CDK tokens; the
 * BucketDeployment resolves them at deploy time.
 *
 * @example
 * ```ts
 * Source.jsonData('amplify_outputs.json', cloudAmplifyOutputs(gateway, endpoints));
 * ```
 */
export function cloudAmplifyOutputs(manifest: GatewayManifest, endpoints: CloudEndpoints) {
  return {
    version: '1.4',
    auth: {
      aws_region: endpoints.region,
      user_pool_id: endpoints.userPoolId,
      user_pool_client_id: endpoints.userPoolClientId,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      groups: endpoints.groups.map((name, precedence) => ({ [name]: { precedence } })),
      mfa_configuration: 'OPTIONAL',
      mfa_methods: ['TOTP'],
      password_policy: {
        min_length: MIN_PASSWORD_LENGTH,
        require_lowercase: true,
        require_numbers: true,
        require_symbols: true,
        require_uppercase: true,
      },
      unauthenticated_identities_enabled: false,
    },
    data: {
      url: endpoints.graphqlUrl,
      aws_region: endpoints.region,
      default_authorization_type: manifest.graphql.defaultAuthMode,
      authorization_types: manifest.graphql.additionalAuthModes,
    },
    custom: {
      events: {
        url: `https://${endpoints.eventsHttpDns}/event`,
        aws_region: endpoints.region,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      },
    },
  };
}
