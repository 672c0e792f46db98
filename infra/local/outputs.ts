import { writeFileSync } from 'node:fs';
import { apiKeyApis } from './api-keys.js';
import type { TwinContext } from './context.js';
import { DEMO_USERS } from './cognito.js';
import { COGNITO_PROXY_PATH } from './cognito-proxy.js';

/**
 * The `amplify_outputs.json` of the twin, in the Amplify Gen 2 shape, so a client needs
 * only `Amplify.configure(outputs)` (plus `custom.local.cognito_endpoint` as Amplify's
 * `userPoolEndpoint`, which the Gen 2 file has no field for; see amplify-config.ts).
 */
export function amplifyOutputs(context: TwinContext) {
  // An API key only for an API that enables API_KEY, as Amplify writes it (Sluice's enables none).
  const keyed = apiKeyApis(context.manifest);
  const apiKey = (enabled: boolean) => (enabled && context.apiKey ? { api_key: context.apiKey } : {});
  const groups = context.manifest.cognitoGroups.map((name, precedence) => ({ [name]: { precedence } }));
  return {
    version: '1.4',
    auth: {
      aws_region: context.region,
      user_pool_id: context.cognito.userPoolId,
      user_pool_client_id: context.cognito.userPoolClientId,
      username_attributes: ['email'],
      standard_required_attributes: ['email'],
      user_verification_types: ['email'],
      groups,
      mfa_configuration: 'NONE',
      password_policy: { min_length: 8, require_lowercase: false, require_numbers: false, require_symbols: false, require_uppercase: false },
      unauthenticated_identities_enabled: false,
    },
    data: {
      url: `${context.url}/graphql`,
      aws_region: context.region,
      default_authorization_type: context.manifest.graphql.defaultAuthMode,
      authorization_types: context.manifest.graphql.additionalAuthModes,
      ...apiKey(keyed.graphql),
    },
    custom: {
      events: {
        url: `${context.url}/event`,
        aws_region: context.region,
        default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
        ...apiKey(keyed.events),
      },
      local: {
        cognito_endpoint: `${context.url}${COGNITO_PROXY_PATH}`,
        iam_credentials: { accessKeyId: context.iam.accessKeyId, secretAccessKey: context.iam.secretAccessKey },
        ca_cert_path: context.caPath,
        bedrock_endpoint: context.bedrockEndpoint,
        dynamodb_endpoint: context.dynamodb.endpoint,
        table_prefix: context.dynamodb.tablePrefix,
        // Public demo credentials, listed on the twin's sign-in page.
        demo_users: DEMO_USERS.map((user) => ({ email: user.email, password: user.password, groups: [...user.groups] })),
      },
    },
  };
}

export type AmplifyOutputs = ReturnType<typeof amplifyOutputs>;

export function writeAmplifyOutputs(path: string, context: TwinContext): AmplifyOutputs {
  const outputs = amplifyOutputs(context);
  writeFileSync(path, `${JSON.stringify(outputs, null, 2)}\n`);
  return outputs;
}
