/**
 * `npm run bench`: chat turns through the whole twin (GraphQL start, admission, the
 * streaming Lambda, the Bedrock simulator at a fixed pace, Events fan-out to WebSocket
 * clients), against a baseline of the same turns sent straight to the simulator with the
 * Bedrock SDK. Exits non-zero when a turn fails or a stream has a sequence gap, so it
 * doubles as a smoke check. docs/benchmarks.md explains the figures.
 *
 *   npm run bench                          # 50 concurrent turns, records the results
 *   npm run bench -- -n 10 --no-write      # a quick smoke check
 *
 * The bench's own clients (WebSockets, GraphQL calls) trust the twin's development CA the way
 * the README tells a Node client to, through NODE_EXTRA_CA_CERTS, which Node reads only at
 * startup; so the bench creates the CA, then re-runs itself in a child process with the
 * variable set (and `--expose-gc`, for steadier memory figures). The twin's functions run
 * in execution environments that trust the CA by themselves.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureDevCertificate } from '../infra/local/certs.js';
import { certsDirOf, createBenchRoot, removeBenchRoot } from './environment.js';
import { parseBenchOptions } from './options.js';

/** Set in the child: the bench root its parent prepared. */
const ROOT_VARIABLE = 'SLUICE_BENCH_ROOT';

async function launch(): Promise<number> {
  // Fail on a bad flag before starting anything.
  parseBenchOptions(process.argv.slice(2), process.env);
  const root = createBenchRoot();
  try {
    const { caPath } = await ensureDevCertificate(certsDirOf(root));
    // SLUICE_BENCH_NODE_ARGS passes flags to the measured process only, e.g. "--cpu-prof --cpu-prof-dir=prof".
    const extraNodeArgs = (process.env.SLUICE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', ...extraNodeArgs, process.argv[1], ...process.argv.slice(2)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, [ROOT_VARIABLE]: root, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    // The Lambdas log JSON (Powertools logs, EMF metrics) as they would to CloudWatch; keep the console readable.
    const verbose = Boolean(process.env.SLUICE_BENCH_VERBOSE);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (verbose || !line.startsWith('{')) console.log(line);
    });
    return await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
  } finally {
    removeBenchRoot(root);
  }
}

if (process.env[ROOT_VARIABLE]) {
  const { runBench } = await import('./bench.js');
  process.exitCode = await runBench(process.env[ROOT_VARIABLE]!, parseBenchOptions(process.argv.slice(2), process.env));
} else {
  try {
    process.exitCode = await launch();
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
