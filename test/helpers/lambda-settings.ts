import type { TwinFunctionSettings } from '../../infra/local/lambda.js';

/**
 * The settings a twin gives its functions, pointing every endpoint at a closed port: for
 * tests of the Lambda host itself, whose functions call nothing.
 *
 * @example
 * ```ts
 * const lambda = new LocalLambdaInvoker({ functions, settings: unreachableServices(caPath), accountId: '000000000000' });
 * ```
 */
export function unreachableServices(caPath: string, tableVariables: Record<string, string> = {}): TwinFunctionSettings {
  return {
    region: 'us-east-1',
    accessKeyId: 'AKIATESTLAMBDA000001',
    secretAccessKey: 'test-secret',
    tableVariables,
    eventsUrl: 'https://localhost:1/event',
    graphqlUrl: 'https://localhost:1/graphql',
    metricsUrl: 'https://localhost:1/_local/metrics',
    dynamodbEndpoint: 'http://127.0.0.1:1',
    bedrockEndpoint: 'http://127.0.0.1:1',
    cognitoEndpoint: 'http://127.0.0.1:1',
    userPoolId: 'us-east-1_test',
    caPath,
    metricsNamespace: 'Sluice',
  };
}
