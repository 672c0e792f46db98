import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * The `graphql()` tag for documents against schema/schema.graphql: gql.tada infers each
 * document's result and variables from the schema's introspection (./graphql-env.d.ts,
 * written by `npm run generate:graphql`), so no type is written by hand. Masking is off:
 * a fragment's fields appear in the result of the document that spreads it.
 *
 * @example
 * ```ts
 * const MODELS = graphql(`query Models { models { id label } }`);
 * type Model = ResultOf<typeof MODELS>['models'][number];
 * ```
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  // The AWS scalars as they travel in JSON (https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html).
  scalars: {
    AWSDate: string;
    AWSTime: string;
    AWSDateTime: string;
    AWSTimestamp: number;
    AWSEmail: string;
    // A JSON string on the wire; some clients hand it back already parsed.
    AWSJSON: string | Record<string, unknown>;
    AWSURL: string;
    AWSPhone: string;
    AWSIPAddress: string;
  };
}>();

export type { ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';

/** A runner's variables argument for a document: optional when the document has no required variable. */
export type VariablesArgument<Variables> = Record<string, never> extends Variables ? [variables?: Variables] : [variables: Variables];
