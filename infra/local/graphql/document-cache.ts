/**
 * The parsed document of a query text costs about 40 to 50 times the text in memory (a
 * 160 KB, 10,000-alias query keeps 6.5 to 8 MB). The cache is bounded by the bytes of
 * the texts it holds, so any mix of queries keeps it near `maxBytes` × 50.
 */
export const DOCUMENT_CACHE_MAX_BYTES = 1_048_576;
/** Texts larger than this are parsed each time and never cached: clients repeat small queries. */
export const DOCUMENT_CACHE_MAX_ENTRY_BYTES = 32_768;

/**
 * A least-recently-used cache of parsed documents, keyed by query text and bounded by the
 * total length of the texts (UTF-16 code units, close to bytes for GraphQL).
 *
 * @example
 * ```ts
 * const cache = new DocumentCache<DocumentNode>();
 * const doc = cache.get(query) ?? cache.set(query, parse(query));
 * ```
 */
export class DocumentCache<T> {
  readonly #entries = new Map<string, T>();
  #bytes = 0;

  constructor(
    readonly maxBytes: number = DOCUMENT_CACHE_MAX_BYTES,
    readonly maxEntryBytes: number = DOCUMENT_CACHE_MAX_ENTRY_BYTES,
  ) {}

  /** Total length of the cached texts. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(text: string): T | undefined {
    const value = this.#entries.get(text);
    if (value === undefined) return undefined;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.delete(text);
    this.#entries.set(text, value);
    return value;
  }

  /** Caches `value` under `text` when it fits, evicting the least recently used; returns `value`. */
  set(text: string, value: T): T {
    if (text.length > this.maxEntryBytes || this.#entries.has(text)) return value;
    this.#entries.set(text, value);
    this.#bytes += text.length;
    for (const oldest of this.#entries.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= oldest.length;
    }
    return value;
  }
}
