import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startBackingServices } from '../../infra/local/twin.js';
import type { SharedServices } from './services.js';

/**
 * Starts what every contract suite shares: the development CA, cognito-local (seeded)
 * and an in-memory DynamoDB Local. Suites start their own twin servers in front of them.
 */
export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const services = await startBackingServices({ certsDir: join(root, 'certs'), cognitoDir: join(root, 'cognito') });
  // Workers start after this, so Node clients in them (fetch, ws, Amplify) trust the CA.
  process.env.NODE_EXTRA_CA_CERTS = services.certificate.caPath;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const shared: SharedServices = {
    certificate: services.certificate,
    cognito: { ...services.cognito, stop: undefined },
    dynamodbEndpoint: services.dynamodb.endpoint,
  };
  project.provide('services', shared);
  return async () => {
    await services.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
