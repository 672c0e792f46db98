import { generateClient } from 'aws-amplify/api';
import { toApiError } from './errors.js';
import type { TadaDocumentNode, VariablesArgument } from './typed-graphql.js';

/** The one method used; Amplify's own client type is too deep for tsc to compare. */
interface GraphqlClient {
  graphql(options: { query: TadaDocumentNode<unknown, never>; variables?: Record<string, unknown> }): Promise<unknown>;
}

let client: GraphqlClient | undefined;

/**
 * Runs one GraphQL document from ./operations.ts with the signed-in user's token and
 * returns its `data`, typed from the document, or throws an ApiError carrying the
 * AppSync `errorType`.
 *
 * @example
 * ```ts
 * const { models } = await graphql(MODELS);
 * ```
 */
export async function graphql<Result, Variables>(document: TadaDocumentNode<Result, Variables>, ...[variables]: VariablesArgument<Variables>): Promise<Result> {
  // Created on first use: Amplify must be configured before a client exists.
  client ??= generateClient() as unknown as GraphqlClient;
  try {
    const result = (await client.graphql({ query: document, variables: variables as Record<string, unknown> | undefined })) as { data?: Result; errors?: unknown[] };
    if (result.errors?.length) throw toApiError(result);
    return result.data as Result;
  } catch (error) {
    throw toApiError(error);
  }
}
