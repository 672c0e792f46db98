/**
 * What one `npm run bench` measures: command-line flags win over environment variables,
 * which win over the defaults. `npm run bench -- --concurrency 10 --no-write`.
 */

/** The simulator's pace the bench pins with prompt directives, so overhead is against a known delay. */
export interface BenchPace {
  /** Time to first token the simulator waits. @default 300 */
  timeToFirstTokenMs: number;
  /** Tokens per second after the first. @default 80 */
  tokensPerSecond: number;
}

export interface BenchOptions {
  /** Turns started at once in the concurrent scenario. @default 50 (`--concurrency`, `SLUICE_BENCH_N`) */
  concurrency: number;
  /** Turns started at once in the burst scenario. @default 200 (`--burst`, `SLUICE_BENCH_BURST`) */
  burstTurns: number;
  /** Output tokens of each concurrent turn. @default 200 (`--tokens`, `SLUICE_BENCH_TOKENS`) */
  tokensPerTurn: number;
  /** Turns run one after another in the single-stream scenario. @default 10 (`--single-turns`, `SLUICE_BENCH_SINGLE_TURNS`) */
  singleTurns: number;
  /** Output tokens of each single-stream turn. @default 40 (`--single-tokens`) */
  singleTokensPerTurn: number;
  /** Unmeasured short turns that warm DynamoDB Local's JIT first. @default 1000 (`--steady-turns`, `SLUICE_BENCH_STEADY_TURNS`) */
  steadyStateTurns: number;
  /** Distinct Cognito users the turns are spread over. @default 10 (`--users`, `SLUICE_BENCH_USERS`) */
  users: number;
  pace: BenchPace;
  /** Record the run in bench/results.json and docs/benchmarks.md. @default true (`--no-write`, `SLUICE_BENCH_WRITE=0`) */
  write: boolean;
  /** Give up on a turn that has not ended after this long. @default 60000 */
  turnTimeoutMs: number;
  /** Subscribers of the fan-out scenario's one channel; 0 skips it. @default 1000 (`--fan-out`, `SLUICE_BENCH_FAN_OUT`) */
  fanOutSubscribers: number;
  /** Idle subscribed connections of the idle scenario; 0 skips it. @default 1000 (`--idle-connections`, `SLUICE_BENCH_IDLE`) */
  idleConnections: number;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = {
  concurrency: 50,
  burstTurns: 200,
  tokensPerTurn: 200,
  singleTurns: 30,
  singleTokensPerTurn: 40,
  steadyStateTurns: 1_000,
  users: 10,
  pace: { timeToFirstTokenMs: 300, tokensPerSecond: 80 },
  write: true,
  turnTimeoutMs: 60_000,
  fanOutSubscribers: 1_000,
  idleConnections: 1_000,
};

/** Largest values the bench accepts: a typo should not start 50,000 turns on a laptop. */
const LIMITS = { concurrency: 1_000, burstTurns: 1_000, tokensPerTurn: 2_000, singleTurns: 200, singleTokensPerTurn: 2_000, steadyStateTurns: 10_000, users: 200, fanOutSubscribers: 5_000, idleConnections: 5_000 } as const;

const FLAGS: Record<string, { key: keyof typeof LIMITS | 'ttft' | 'tps'; env: string }> = {
  '--concurrency': { key: 'concurrency', env: 'SLUICE_BENCH_N' },
  '-n': { key: 'concurrency', env: 'SLUICE_BENCH_N' },
  '--burst': { key: 'burstTurns', env: 'SLUICE_BENCH_BURST' },
  '--tokens': { key: 'tokensPerTurn', env: 'SLUICE_BENCH_TOKENS' },
  '--single-turns': { key: 'singleTurns', env: 'SLUICE_BENCH_SINGLE_TURNS' },
  '--single-tokens': { key: 'singleTokensPerTurn', env: 'SLUICE_BENCH_SINGLE_TOKENS' },
  '--users': { key: 'users', env: 'SLUICE_BENCH_USERS' },
  '--steady-turns': { key: 'steadyStateTurns', env: 'SLUICE_BENCH_STEADY_TURNS' },
  '--ttft': { key: 'ttft', env: 'SLUICE_BENCH_TTFT_MS' },
  '--tps': { key: 'tps', env: 'SLUICE_BENCH_TPS' },
  '--fan-out': { key: 'fanOutSubscribers', env: 'SLUICE_BENCH_FAN_OUT' },
  '--idle-connections': { key: 'idleConnections', env: 'SLUICE_BENCH_IDLE' },
};

/**
 * Reads the bench options; throws a RangeError naming the flag for a bad value.
 * @example
 * parseBenchOptions(['--concurrency', '5', '--no-write'], {}); // { concurrency: 5, write: false, … }
 */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_BENCH_OPTIONS, pace: { ...DEFAULT_BENCH_OPTIONS.pace } };
  const raw = new Map<string, { value: string; source: string }>();
  for (const { key, env: name } of Object.values(FLAGS)) {
    if (env[name] !== undefined && env[name] !== '') raw.set(key, { value: env[name]!, source: name });
  }
  if (env.SLUICE_BENCH_WRITE === '0') options.write = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-write') {
      options.write = false;
      continue;
    }
    const [flag, inline] = arg.split('=', 2);
    const spec = FLAGS[flag];
    if (!spec) throw new RangeError(`Unknown bench flag ${arg}; known: ${[...Object.keys(FLAGS), '--no-write'].join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new RangeError(`${flag} needs a value`);
    raw.set(spec.key, { value, source: flag });
  }
  for (const [key, { value, source }] of raw) {
    const number = Number(value);
    if (key === 'ttft') {
      if (!Number.isInteger(number) || number < 0 || number > 60_000) throw new RangeError(`${source} must be a whole number of milliseconds, 0 to 60000; got ${value}`);
      options.pace.timeToFirstTokenMs = number;
    } else if (key === 'tps') {
      if (!(number > 0 && number <= 10_000)) throw new RangeError(`${source} must be a number of tokens per second, above 0 and at most 10000; got ${value}`);
      options.pace.tokensPerSecond = number;
    } else {
      const limit = LIMITS[key as keyof typeof LIMITS];
      // The extra scenarios can be skipped with 0.
      const least = key === 'fanOutSubscribers' || key === 'idleConnections' ? 0 : 1;
      if (!Number.isInteger(number) || number < least || number > limit) throw new RangeError(`${source} must be a whole number from ${least} to ${limit}; got ${value}`);
      options[key as keyof typeof LIMITS] = number;
    }
  }
  return options;
}
