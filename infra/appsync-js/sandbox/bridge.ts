/**
 * The only door between the sandbox and the host. Every method takes and returns primitives:
 * a host object (or a host error) handed to resolver code would expose the host's `Function`
 * constructor and with it `process`. The host implementation lives in ../host-bridge.ts.
 */
import type { AppSyncJsFlavor } from '../types.js';

export interface HostBridge {
  readonly flavor: AppSyncJsFlavor;
  /** Milliseconds since the epoch, from the injected clock. */
  now(): number;
  /** A number in [0, 1), from the injected source of randomness. */
  random(): number;
  uuid(): string;
  ulid(): string;
  ksuid(): string;
  /** UTF-8 bytes of `text`, base64 encoded. */
  base64Encode(text: string): string;
  /** Base64 `text` decoded and read as UTF-8. */
  base64Decode(text: string): string;
  log(level: string, line: string): void;
}
