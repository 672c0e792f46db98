import { generateClient } from 'aws-amplify/api';

/** One entry of a GraphQL response's `errors[]`, as AppSync spells it. */
export interface GraphqlError {
  errorType: string;
  message: string;
  errorInfo?: Record<string, unknown> | null;
  path?: (string | number)[] | null;
}

/** What Amplify rejects with when `errors[]` is not empty: the whole `{ data, errors }` result. */
export interface GraphqlFailure {
  data: Record<string, unknown> | null;
  errors: GraphqlError[];
}

/**
 * Runs a query or mutation through Amplify's `generateClient()` (configured and signed in
 * beforehand) and returns its `data`; rejects with the {@link GraphqlFailure} on errors.
 *
 * @example
 * ```ts
 * const { models } = await graphql<{ models: { id: string }[] }>('query { models { id } }');
 * ```
 */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  // Amplify types variables only for generated (typed) documents; these queries are plain strings.
  return ((await generateClient().graphql({ query, variables: variables as never })) as { data: T }).data;
}

/**
 * The failure of a GraphQL call that must fail: throws if it succeeds, and rethrows a
 * rejection that is not a GraphQL result (a network or auth error), so a test asserts on
 * the errors the API returned and nothing else.
 *
 * @example
 * ```ts
 * const { errors } = await graphqlFailure(graphql('query { auditLog { items { id } } }'));
 * ```
 */
export async function graphqlFailure(call: unknown): Promise<GraphqlFailure> {
  // Queries and mutations return a Promise (only subscriptions return an Observable).
  const failure = (await (call as Promise<unknown>).then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  )) as GraphqlFailure;
  if (!Array.isArray(failure.errors)) throw failure;
  return failure;
}
