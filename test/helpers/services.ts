import { inject } from 'vitest';
import type { DevCertificate } from '../../infra/local/certs.js';
import type { LocalCognito } from '../../infra/local/cognito.js';
import type { BackingServices } from '../../infra/local/twin.js';

/** What global-setup shares with the suites (plain data: it crosses processes). */
export interface SharedServices {
  certificate: DevCertificate;
  cognito: Omit<LocalCognito, 'stop'> & { stop?: undefined };
  dynamodbEndpoint: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: SharedServices;
  }
}

/** The shared backing services, in the shape startTwin takes; stopping is global-setup's job. */
export function sharedBackingServices(): BackingServices {
  const shared = inject('services');
  const noop = async () => undefined;
  return {
    certificate: shared.certificate,
    cognito: { ...shared.cognito, stop: noop },
    dynamodb: { endpoint: shared.dynamodbEndpoint, stop: noop },
    stop: noop,
  };
}
