import { generateClient } from 'aws-amplify/api';
import { toApiError } from './errors.js';

/** The one method used; Amplify's own client type is too deep for tsc to compare. */
interface GraphqlClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<unknown>;
}

let client: GraphqlClient | undefined;

/**
 * Runs one GraphQL operation from ./operations.ts with the signed-in user's token and
 * returns its `data`, or throws an ApiError carrying the AppSync `errorType`.
 *
 * @example
 * ```ts
 * const { models } = await graphql<{ models: Model[] }>(MODELS);
 * ```
 */
export async function graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  // Created on first use: Amplify must be configured before a client exists.
  client ??= generateClient() as unknown as GraphqlClient;
  try {
    const result = (await client.graphql({ query, variables })) as { data?: T; errors?: unknown[] };
    if (result.errors?.length) throw toApiError(result);
    return result.data as T;
  } catch (error) {
    throw toApiError(error);
  }
}
