import { generateClient } from 'aws-amplify/api';
import type { TadaDocumentNode, VariablesArgument } from '../../web/src/api/typed-graphql.js';

/** The web app's `graphql()` tag: documents typed from schema/schema.graphql (web/src/api/typed-graphql.ts). */
export { graphql as gql, type ResultOf, type VariablesOf } from '../../web/src/api/typed-graphql.js';

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
 * A document written with {@link gql} (the web app's typed tag, or one of the web app's
 * own documents from web/src/api/operations.ts) types its variables and result from the
 * schema; a plain string (a probe of errors or invalid input) is typed by hand.
 *
 * @example
 * ```ts
 * const { models } = await graphql(gql('query Models { models { id } }'));
 * const { errors } = await graphqlFailure(graphql('query { models { nope } }'));
 * ```
 */
export async function graphql<Result, Variables>(document: TadaDocumentNode<Result, Variables>, ...[variables]: VariablesArgument<Variables>): Promise<Result>;
export async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
export async function graphql(query: string | TadaDocumentNode<unknown, never>, variables: Record<string, unknown> = {}): Promise<unknown> {
  // Amplify types variables only for its own generated documents, and a DocumentNode by its
  // own copy of graphql-js; it prints whatever AST it is given.
  return ((await generateClient().graphql({ query: query as string, variables: variables as never })) as { data: unknown }).data;
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
