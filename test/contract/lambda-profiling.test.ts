import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LambdaFunction } from '../../infra/gateway.js';
import { LocalLambdaInvoker, type TwinFunctionSettings } from '../../infra/local/lambda.js';

const scratch = mkdtempSync(join(tmpdir(), 'sluice-lambda-profile-'));

const FUNCTIONS: LambdaFunction[] = [{ name: 'readsItsEnvironment', entry: 'test/fixtures/lambda/environment.ts', timeoutSeconds: 10, memoryMb: 128, tables: [] }];

const SETTINGS: TwinFunctionSettings = {
  region: 'us-east-1',
  accessKeyId: 'AKIATESTLAMBDA000002',
  secretAccessKey: 'test-secret',
  tableVariables: {},
  eventsUrl: 'https://localhost:1/event',
  graphqlUrl: 'https://localhost:1/graphql',
  metricsUrl: 'https://localhost:1/_local/metrics',
  dynamodbEndpoint: 'http://127.0.0.1:1',
  bedrockEndpoint: 'http://127.0.0.1:1',
  cognitoEndpoint: 'http://127.0.0.1:1',
  userPoolId: 'us-east-1_test',
  caPath: join(scratch, 'ca.pem'),
  metricsNamespace: 'Sluice',
};

/** Profiling functions where they run (docs/lambda-twin.md, "Profiling functions"). */
describe('SLUICE_FUNCTION_NODE_ARGS', () => {
  afterAll(() => {
    delete process.env.SLUICE_FUNCTION_NODE_ARGS;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gives every environment the Node flags, and a twin that shuts down leaves their CPU profiles behind', async () => {
    // Prepare
    const profiles = join(scratch, 'profiles');
    process.env.SLUICE_FUNCTION_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profiles}`;
    const lambda = new LocalLambdaInvoker({ functions: FUNCTIONS, settings: SETTINGS, accountId: '000000000000' });

    // Act: one invocation leaves a frozen environment; closing is the twin's shutdown.
    const { pid } = (await lambda.invoke('readsItsEnvironment', {})) as { pid: number };
    await lambda.close();

    // Assess
    expect(readdirSync(profiles)).toContainEqual(expect.stringMatching(new RegExp(`^CPU\\..*\\.${pid}\\..*\\.cpuprofile$`)));
  });
});
