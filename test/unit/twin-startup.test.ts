import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';
import { startTestTwin } from '../helpers/twin.js';

describe('the local twin', () => {
  let twin: Twin;
  beforeAll(async () => {
    twin = await startTestTwin();
  });
  afterAll(async () => twin?.close());

  it('serves HTTPS with a certificate the development CA signed', async () => {
    // Prepare: NODE_EXTRA_CA_CERTS was set by global-setup, so fetch trusts the CA.
    // Act
    const response = await fetch(`${twin.url}/no-such-route`);
    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('NotFoundException');
  });

  it('proxies Cognito so a demo user signs in with USER_PASSWORD_AUTH', async () => {
    const user = DEMO_USERS[0];
    const response = await fetch(`${twin.url}/cognito/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: twin.context.cognito.userPoolClientId,
        AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
      }),
    });
    const body = (await response.json()) as { AuthenticationResult?: { AccessToken?: string } };
    expect(response.status).toBe(200);
    expect(body.AuthenticationResult?.AccessToken).toMatch(/^ey/);
  });

  it('writes amplify_outputs in the Amplify Gen 2 shape', () => {
    expect(twin.outputs.auth.user_pool_id).toBe(twin.context.cognito.userPoolId);
    expect(twin.outputs.data.url).toBe(`${twin.url}/graphql`);
    expect(twin.outputs.custom.events.url).toBe(`${twin.url}/event`);
    expect(twin.outputs.custom.local.ca_cert_path).toBe(twin.context.caPath);
  });
});
