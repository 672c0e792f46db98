/**
 * KSUIDs for `util.autoKsuid`: 4 bytes of seconds since the KSUID epoch and 16 random bytes,
 * base62 encoded to 27 characters, as segmentio/ksuid defines them.
 * @see https://github.com/segmentio/ksuid
 */
import { randomBytes } from 'node:crypto';

/** 2014-05-13T16:53:20Z, the epoch KSUID timestamps count from. */
export const KSUID_EPOCH_IN_SECONDS = 1_400_000_000;
const KSUID_LENGTH = 27;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * @param nowMs - the current time, from the injected clock
 * @param payload - 16 random bytes (injectable for tests)
 * @example
 * ```ts
 * ksuid(Date.now()); // '2Dgq1sBm0GYGMOCvUCWDmfHrFbS' (27 characters)
 * ```
 */
export function ksuid(nowMs: number, payload: Uint8Array = randomBytes(16)): string {
  const bytes = new Uint8Array(20);
  new DataView(bytes.buffer).setUint32(0, Math.floor(nowMs / 1000) - KSUID_EPOCH_IN_SECONDS);
  bytes.set(payload.subarray(0, 16), 4);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  while (value > 0n) {
    out = BASE62.charAt(Number(value % 62n)) + out;
    value /= 62n;
  }
  return out.padStart(KSUID_LENGTH, '0');
}
