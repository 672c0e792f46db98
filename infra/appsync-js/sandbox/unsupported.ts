/**
 * Members of `util` that AppSync has but the twin does not implement. Calling one fails the
 * handler with a message that says so, instead of a puzzling "is not a function".
 */

/**
 * A function that fails, naming the missing member.
 * @example
 * ```ts
 * const toElasticsearchQueryDSL = unsupported('util.transform.toElasticsearchQueryDSL');
 * ```
 */
export function unsupported(name: string): (...args: unknown[]) => never {
  return () => {
    throw new Error(`${name} is not implemented by the Sluice local twin`);
  };
}

/**
 * An object whose every member is {@link unsupported}, for whole areas such as `util.rds`.
 * @example
 * ```ts
 * unsupportedArea('util.xml').toMap('<a/>'); // fails: util.xml.toMap is not implemented …
 * ```
 */
export function unsupportedArea(name: string): Record<string, (...args: unknown[]) => never> {
  return new Proxy({} as Record<string, (...args: unknown[]) => never>, {
    get: (_target, member) => unsupported(`${name}.${String(member)}`),
  });
}
