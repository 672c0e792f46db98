import { randomBytes } from 'node:crypto';
import { startTwin, type Twin, type TwinOptions } from '../../infra/local/twin.js';
import { sharedBackingServices } from './services.js';

/**
 * Starts a twin for one suite on a free port, with its own table prefix, in front of the
 * shared cognito-local and DynamoDB Local. Close it in afterAll.
 */
export async function startTestTwin(options: Partial<Omit<TwinOptions, 'services'>> = {}): Promise<Twin> {
  return startTwin({
    port: 0,
    tablePrefix: `t${randomBytes(4).toString('hex')}-`,
    asyncRetryDelaysMs: [50, 100],
    log: () => undefined,
    ...options,
    services: sharedBackingServices(),
  });
}
