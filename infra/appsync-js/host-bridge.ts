/**
 * The host side of the sandbox bridge: clock, randomness, ids, base64 and logs, all answering
 * primitives only (see sandbox/bridge.ts for why).
 */
import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import { ksuid } from './ksuid.js';
import type { HostBridge } from './sandbox/bridge.js';
import type { AppSyncJsFlavor } from './types.js';

export interface HostBridgeOptions {
  flavor: AppSyncJsFlavor;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** A number in [0, 1). */
  random: () => number;
  /** Receives every `console.*` line of the user code. */
  onLog: (level: string, line: string) => void;
}

/**
 * @example
 * ```ts
 * const bridge = createHostBridge({ flavor: 'graphql', clock: Date.now, random: Math.random, onLog: () => {} });
 * ```
 */
export function createHostBridge(options: HostBridgeOptions): HostBridge {
  const { clock, random, onLog } = options;
  // A null prototype: nothing on it leads back to the host's Object or Function.
  return Object.assign(Object.create(null) as object, {
    flavor: options.flavor,
    now: () => Number(clock()),
    random: () => Number(random()),
    uuid: () => randomUUID(),
    // ulid throws on a fractional or negative time; a host error must never reach user code.
    ulid: () => ulid(Math.max(0, Math.trunc(clock()))),
    ksuid: () => ksuid(clock()),
    base64Encode: (text: string) => Buffer.from(String(text), 'utf8').toString('base64'),
    base64Decode: (text: string) => Buffer.from(String(text), 'base64').toString('utf8'),
    log: (level: string, line: string) => onLog(String(level), String(line)),
  });
}
