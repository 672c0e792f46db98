/**
 * What the twin remembers between requests: attempts per prompt (for `[[sim:fault=N]]`)
 * and cached prompt prefixes (for `cachePoint` usage). Both are bounded so a long-running
 * twin under a benchmark does not grow without limit.
 */
const MAX_REMEMBERED_PROMPTS = 10_000;
/** @see https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html (default cache TTL: 5 minutes) */
const PROMPT_CACHE_TTL_IN_MS = 5 * 60_000;

/**
 * Counts attempts per prompt key.
 * @example
 * const attempt = attempts.next(promptKeyOf(input)); // 1, then 2, …
 */
export class AttemptCounter {
  readonly #counts = new Map<string, number>();

  /** Records one more attempt and returns its 1-based number. */
  next(key: string): number {
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.delete(key);
    this.#counts.set(key, count);
    if (this.#counts.size > MAX_REMEMBERED_PROMPTS) this.#counts.delete(this.#counts.keys().next().value as string);
    return count;
  }

  /** Forgets every count (tests that reuse a prompt start over). */
  clear(): void {
    this.#counts.clear();
  }
}

/**
 * Cached prompt prefixes with Bedrock's five-minute TTL, refreshed on every hit.
 * @example
 * const hit = cache.has(key); cache.touch(key);
 */
export class PromptCache {
  readonly #expiries = new Map<string, number>();
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  has(key: string): boolean {
    const expiry = this.#expiries.get(key);
    return expiry !== undefined && expiry > this.#clock();
  }

  /** Writes or refreshes a prefix. */
  touch(key: string): void {
    this.#expiries.delete(key);
    this.#expiries.set(key, this.#clock() + PROMPT_CACHE_TTL_IN_MS);
    if (this.#expiries.size > MAX_REMEMBERED_PROMPTS) this.#expiries.delete(this.#expiries.keys().next().value as string);
  }
}
