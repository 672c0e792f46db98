/** Seeded randomness and hostile-input generators for the fuzz suite. */

/** A deterministic PRNG (mulberry32): the same seed gives the same inputs on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const int = (rng: Random, max: number): number => Math.floor(rng() * max);

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels. */
export function deepJson(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;
}

/** A small random JSON value of any type. */
export function randomValue(rng: Random, depth = 0): unknown {
  switch (int(rng, depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1e308, -1e-308, Number.MAX_SAFE_INTEGER, 3.5]);
    case 3:
      return randomString(rng, int(rng, 40));
    case 4:
      return pick(rng, ['', '\u0000', '\ud800', '💥', '../../etc/passwd', '<script>', '${jndi:x}', '%s%n']);
    case 5:
      return Array.from({ length: int(rng, 4) }, () => randomValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(rng, 4) }, () => [randomString(rng, 6), randomValue(rng, depth + 1)]));
  }
}

export function randomString(rng: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(rng() < 0.8 ? 32 + int(rng, 95) : int(rng, 0x3000));
  return text;
}

/** Cuts, duplicates or flips characters of a text: malformed variants of valid input. */
export function mutate(rng: Random, text: string): string {
  const at = int(rng, text.length + 1);
  switch (int(rng, 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at, at + 5).repeat(int(rng, 4) + 2) + text.slice(at);
    case 2:
      return text.slice(0, at) + pick(rng, ['{', '}', '"', '\\', ',', ':', '[', '\u0000']) + text.slice(at);
    default:
      return text.slice(0, at) + text.slice(at + 1 + int(rng, 5));
  }
}

/** Channel names a client should never get away with. */
export const STRANGE_CHANNELS = [
  '',
  '/',
  '//',
  '/chat',
  '/chat/',
  '/chat/../admin',
  '/chat/*/x',
  '/chat/a/b/c/d/e/f',
  `/chat/${'a'.repeat(60)}`,
  '/chat/%2e%2e',
  '/chat/ü',
  '/chat/a b',
  '/nope/x',
  '*',
  '/chat/\u0000',
] as const;

/** True when a text shows what users must never see: a stack frame or a file path. */
export function leaksInternals(text: string): boolean {
  return /\n\s+at \S|\bat [\w.<>]+ \(|\.(?:ts|js|mjs):\d+|file:\/\/|node_modules|\/(?:work|home|tmp|Users)\//.test(text);
}
