/**
 * The backing services `npm start` runs (cognito-local, DynamoDB Local) are child
 * processes; they are stopped on Ctrl-C, SIGTERM and exit, but a SIGKILLed or crashed twin
 * leaves them running, holding cognito-local's fixed port and DynamoDB Local's data file.
 * So each start records their process ids in the state folder, and the next start stops
 * any that are still running, as a database server does with its pid file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A started service: its process id and a string its command line must contain. */
export interface RecordedService {
  name: string;
  pid: number;
  /** Guards against a reused pid: only a process whose command line holds this is stopped. */
  commandLineMarker: string;
}

/** Command-line markers of the two services, as the twin starts them. */
const SERVICE_MARKERS = { cognito: 'cognito-local', dynamodb: 'DynamoDBLocal.jar' } as const;

const RECORD_FILE = 'services.json';
/** How long a service gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_IN_MS = 5_000;
const POLL_INTERVAL_IN_MS = 100;

/**
 * Records the services this start runs.
 * @example
 * recordServices(state.root, [{ name: 'DynamoDB Local', pid: 4242, commandLineMarker: 'DynamoDBLocal.jar' }]);
 */
export function recordServices(stateRoot: string, services: RecordedService[]): void {
  writeFileSync(join(stateRoot, RECORD_FILE), `${JSON.stringify(services, null, 2)}\n`);
}

/**
 * Records the backing services `startBackingServices` started (those it did not start,
 * having no pid, are left out).
 * @example
 * recordBackingServices(state.root, services);
 */
export function recordBackingServices(stateRoot: string, services: { cognito: { pid?: number }; dynamodb: { pid?: number } }): void {
  const started: RecordedService[] = [
    { name: 'cognito-local', pid: services.cognito.pid ?? 0, commandLineMarker: SERVICE_MARKERS.cognito },
    { name: 'DynamoDB Local', pid: services.dynamodb.pid ?? 0, commandLineMarker: SERVICE_MARKERS.dynamodb },
  ];
  recordServices(stateRoot, started.filter((service) => service.pid > 0));
}

/** Forgets the record after a clean stop. */
export function forgetServices(stateRoot: string): void {
  rmSync(join(stateRoot, RECORD_FILE), { force: true });
}

/**
 * Stops the services an earlier start recorded that are still running (SIGTERM, then
 * SIGKILL after {@link STOP_GRACE_IN_MS}), and forgets the record. Returns the names stopped.
 * @example
 * const stopped = await stopOrphanedServices(state.root); // ['cognito-local', 'DynamoDB Local']
 */
export async function stopOrphanedServices(stateRoot: string): Promise<string[]> {
  const recorded = readRecord(stateRoot);
  const orphans = recorded.filter((service) => isProcessRunning(service.pid) && commandLineOf(service.pid)?.includes(service.commandLineMarker));
  await Promise.all(orphans.map((service) => stop(service.pid)));
  forgetServices(stateRoot);
  return orphans.map((service) => service.name);
}

function readRecord(stateRoot: string): RecordedService[] {
  try {
    const parsed = JSON.parse(readFileSync(join(stateRoot, RECORD_FILE), 'utf8')) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (s): s is RecordedService => Boolean(s) && typeof s.name === 'string' && Number.isSafeInteger(s.pid) && s.pid > 0 && typeof s.commandLineMarker === 'string',
    );
  } catch {
    // No record (the usual case) or an unreadable one: nothing to stop.
    return [];
  }
}

/**
 * True while `pid` runs: it answers signal 0 and is not a zombie.
 * @example
 * isProcessRunning(process.pid); // true
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user; not ours to stop, and the marker check will say so.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** An exited process its (new) parent has not reaped yet still answers signal 0. Linux only. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The process's command line: /proc on Linux, `ps` elsewhere; undefined when neither answers. */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

async function stop(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_GRACE_IN_MS;
  while (isProcessRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_IN_MS));
  if (isProcessRunning(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It exited between the check and the kill.
    }
  }
}
