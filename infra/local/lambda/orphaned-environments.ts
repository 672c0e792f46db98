/**
 * An idle execution environment is frozen (SIGSTOP), and a frozen process cannot notice
 * that the twin which forked it has died: a SIGKILLed twin would leave its frozen
 * environments stopped for ever, holding their memory. So a twin that exits kills its
 * environments on the way out ({@link killEnvironmentsOnExit}), and the next `npm start`
 * kills any that a twin left behind without exiting ({@link stopOrphanedEnvironments}).
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Its arguments, joined by spaces. */
  command: string;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kills `child` if this process exits while it runs: an uncaught error or a
 * `process.exit` in the twin would otherwise leave it behind. The hook runs synchronously,
 * as `exit` listeners must, and SIGKILL is what reaches a frozen process.
 */
export function killEnvironmentsOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const environment of running) environment.kill('SIGKILL');
  });
}

/**
 * Kills the execution environments of this checkout whose twin is gone: processes whose
 * command line holds `marker` (the runtime bundle's path) and whose parent is no longer a
 * Node process (an orphan is adopted by init or a subreaper). Environments of a twin that
 * still runs are left alone. Returns how many were killed.
 * @example
 * const killed = stopOrphanedEnvironments(runtimeMarker()); // 3
 */
export function stopOrphanedEnvironments(marker: string): number {
  const processes = listProcesses();
  const byPid = new Map(processes.map((entry) => [entry.pid, entry]));
  const orphans = processes.filter((entry) => entry.command.includes(marker) && !isNodeProcess(byPid.get(entry.ppid)));
  for (const orphan of orphans) {
    try {
      process.kill(orphan.pid, 'SIGKILL');
    } catch {
      // It exited meanwhile.
    }
  }
  return orphans.length;
}

function isNodeProcess(entry: ProcessEntry | undefined): boolean {
  if (!entry || entry.pid === 1) return false;
  const program = basename(entry.command.split(' ')[0] ?? '');
  return program === basename(process.execPath) || /^node(\d+)?$/.test(program);
}

/** Every process this user can see: from /proc on Linux, from `ps` elsewhere. */
function listProcesses(): ProcessEntry[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => procEntry(Number(name)) ?? []);
  } catch {
    return psEntries();
  }
}

function procEntry(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which may itself hold spaces and parentheses: state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid, command };
  } catch {
    return undefined;
  }
}

function psEntries(): ProcessEntry[] {
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,command='], { encoding: 'utf8' })
      .split('\n')
      .flatMap((line) => {
        const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
        return match ? [{ pid: Number(match[1]), ppid: Number(match[2]), command: match[3]! }] : [];
      });
  } catch {
    return [];
  }
}
