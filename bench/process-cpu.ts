/**
 * CPU time of the whole gateway, not just this process: the twin runs in the bench's
 * process, each function in execution environments of its own (child processes), and
 * DynamoDB Local and cognito-local beside them. Read from /proc (Linux), in milliseconds,
 * with the backing services reported apart.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICK_IN_MS = 10;

export interface CpuSample {
  /** This process (the twin and the bench's clients) and every function environment, live or ended. */
  gatewayMs: number;
  /** Function environments alive when sampled. */
  functionEnvironments: number;
  dynamodbMs: number;
  cognitoMs: number;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, and the same for reaped children (cutime + cstime). */
  ownTicks: number;
  reapedTicks: number;
}

function readStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; the fields follow its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (n: number) => Number(fields[n - 3]);
    return { pid: Number(text.slice(0, text.indexOf(' '))), ppid: at(4), ownTicks: at(14) + at(15), reapedTicks: at(16) + at(17) };
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Which part of the system a direct child of this process is. */
function kindOf(pid: number): keyof Omit<CpuSample, 'functionEnvironments'> | 'environment' {
  const command = commandLine(pid);
  if (/DynamoDBLocal|java/.test(command)) return 'dynamodbMs';
  if (command.includes('cognito-local')) return 'cognitoMs';
  return 'environment';
}

/** Samples the CPU time spent so far; subtract two samples for a phase's share. */
export function sampleCpu(): CpuSample {
  const self = readStat('self');
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const ticksUnder = (stat: ProcStat): number => stat.ownTicks + stat.reapedTicks + (byParent.get(stat.pid) ?? []).reduce((sum, child) => sum + ticksUnder(child), 0);

  const own = process.cpuUsage();
  const sample: CpuSample = { gatewayMs: (own.user + own.system) / 1000 + (self?.reapedTicks ?? 0) * TICK_IN_MS, functionEnvironments: 0, dynamodbMs: 0, cognitoMs: 0 };
  for (const child of byParent.get(process.pid) ?? []) {
    const kind = kindOf(child.pid);
    const ms = ticksUnder(child) * TICK_IN_MS;
    if (kind === 'environment') {
      sample.gatewayMs += ms;
      sample.functionEnvironments += 1;
    } else {
      sample[kind] += ms;
    }
  }
  return sample;
}

/** What was spent between two samples. */
export function cpuSpent(before: CpuSample, after: CpuSample): Omit<CpuSample, 'functionEnvironments'> {
  return {
    gatewayMs: after.gatewayMs - before.gatewayMs,
    dynamodbMs: after.dynamodbMs - before.dynamodbMs,
    cognitoMs: after.cognitoMs - before.cognitoMs,
  };
}
