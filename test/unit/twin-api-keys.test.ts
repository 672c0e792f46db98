import { describe, expect, it } from 'vitest';
import { AuthMode, gateway, type GatewayManifest } from '../../infra/gateway.js';
import { apiKeyApis } from '../../infra/local/api-keys.js';
import type { TwinContext } from '../../infra/local/context.js';
import { amplifyOutputs } from '../../infra/local/outputs.js';

/** The context fields amplifyOutputs reads, for `manifest` and an issued key. */
const contextFor = (manifest: GatewayManifest, apiKey?: string) =>
  ({
    manifest,
    url: 'https://localhost:8443',
    region: 'us-east-1',
    apiKey,
    iam: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    cognito: { userPoolId: 'local_pool', userPoolClientId: 'client' },
    dynamodb: { endpoint: 'http://127.0.0.1:8000', tablePrefix: 'sluice-' },
    bedrockEndpoint: 'http://127.0.0.1:9000',
    caPath: 'ca.pem',
  }) as unknown as TwinContext;

describe('API keys on the twin', () => {
  it('finds API_KEY on neither of Sluice’s APIs', () => {
    expect(apiKeyApis(gateway)).toEqual({ graphql: false, events: false });
  });

  it('publishes a key only for the API whose manifest enables API_KEY, as Amplify writes it', () => {
    // Prepare
    const eventsOnly: GatewayManifest = { ...gateway, events: { ...gateway.events, authProviders: [...gateway.events.authProviders, AuthMode.API_KEY] } };
    // Act
    const outputs = amplifyOutputs(contextFor(eventsOnly, 'da2-local')) as { data: Record<string, unknown>; custom: { events: Record<string, unknown> } };
    // Assess
    expect(outputs.custom.events.api_key).toBe('da2-local');
    expect(outputs.data).not.toHaveProperty('api_key');
  });
});
