// The web app's GraphQL documents (web/src/api/operations.ts) against the schema the
// gateway serves: each must be valid once Amplify prints and re-parses it, and the types
// the app uses must be the schema's, not a hand-written copy of it.
import { parse, print, validate, type DocumentNode } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { loadAppSyncSchema } from '../../../infra/local/graphql/appsync-schema.js';
import { SCHEMA_PATH } from '../../../infra/local/graphql/web-graphql-env.js';
import * as operations from '../../../web/src/api/operations.js';
import type { AuditEntry, Message, Model, UsageGroupBy, UsagePeriod } from '../../../web/src/api/operations.js';
import type { VariablesArgument, VariablesOf } from '../../../web/src/api/typed-graphql.js';

const schema = loadAppSyncSchema(SCHEMA_PATH);
const documents = Object.entries(operations).filter((entry): entry is [string, DocumentNode] => typeof entry[1] === 'object' && entry[1]?.kind === 'Document');

describe('the web app’s GraphQL documents', () => {
  it('are all found', () => {
    expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(['MODELS', 'START_CHAT', 'USAGE_REPORT', 'CREATE_API_KEY']));
  });

  it.each(documents)('%s is valid against schema/schema.graphql, fragments included', (_name, document) => {
    // gql.tada types a field the schema lacks as unknown without a compile error; the schema
    // itself refuses it here. Amplify sends print(document), so that is what is validated.
    const sent = parse(print(document));
    expect(validate(schema, sent).map((error) => error.message)).toEqual([]);
  });

  it('types results and variables from the schema', () => {
    expectTypeOf<Message['status']>().toEqualTypeOf<'COMPLETE' | 'INCOMPLETE' | 'CANCELLED' | 'STREAMING'>();
    expectTypeOf<UsageGroupBy>().toEqualTypeOf<'USER' | 'MODEL' | 'DAY'>();
    expectTypeOf<UsagePeriod['limitUsd']>().toEqualTypeOf<number | null>();
    expectTypeOf<Model['price']['inputUsd']>().toEqualTypeOf<number>();
    // AWSJSON: a JSON string on the wire, already parsed by some clients.
    expectTypeOf<AuditEntry['details']>().toEqualTypeOf<string | Record<string, unknown> | null>();
    expectTypeOf<VariablesArgument<VariablesOf<typeof operations.MODELS>>>().toEqualTypeOf<[variables?: VariablesOf<typeof operations.MODELS>]>();
    // @ts-expect-error a document with required variables cannot be run without them
    const missing: VariablesArgument<VariablesOf<typeof operations.USAGE_REPORT>> = [];
    // @ts-expect-error an enum takes only the schema's values
    const week: UsageGroupBy = 'WEEK';
    expect([missing, week]).toHaveLength(2);
  });
});
