import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LambdaFunction } from '../../infra/gateway.js';
import { LocalLambdaInvoker } from '../../infra/local/lambda.js';
import { unreachableServices } from '../helpers/lambda-settings.js';

const scratch = mkdtempSync(join(tmpdir(), 'sluice-lambda-profile-'));

const FUNCTIONS: LambdaFunction[] = [{ name: 'readsItsEnvironment', entry: 'test/fixtures/lambda/environment.ts', timeoutSeconds: 10, memoryMb: 128, tables: [] }];

const SETTINGS = unreachableServices(join(scratch, 'ca.pem'));

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
