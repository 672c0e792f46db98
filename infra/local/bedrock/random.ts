import { createHash } from 'node:crypto';

/** A source of uniform numbers in [0, 1), so generators can be replayed from a seed. */
export type Random = () => number;

/**
 * Hashes any number of strings into a stable hex digest (the simulator's prompt key).
 * @example
 * digest('model', 'prompt'); // '3f2a…' (64 hex characters)
 */
export function digest(...parts: string[]): string {
  const hash = createHash('sha256');
  // A separator that cannot occur in JSON-escaped text keeps ('ab','c') apart from ('a','bc').
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
}

/**
 * A seeded PRNG (sfc32, 128-bit state from a hex digest): fast, well distributed and the
 * same sequence on every platform, which `Math.random` is not.
 * @example
 * const random = seededRandom(digest('prompt'));
 * random(); // 0.5131…, the same on every run
 */
export function seededRandom(hexDigest: string): Random {
  const words = [0, 8, 16, 24].map((offset) => Number.parseInt(hexDigest.slice(offset, offset + 8).padEnd(8, '0'), 16) | 0);
  let [a, b, c, d] = words as [number, number, number, number];
  const next = function sfc32(): number {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs still echo the seed words; the sfc32 reference discards a dozen.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * Picks an integer in [min, max] (both inclusive).
 * @example
 * intBetween(random, 1, 3); // 1, 2 or 3
 */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Picks one element of a non-empty list.
 * @example
 * pick(random, ['a', 'b']); // 'a' or 'b'
 */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick() needs at least one item');
  return items[Math.floor(random() * items.length)] as T;
}
