// The web app's and the tests' GraphQL documents are typed from web/src/api/graphql-env.d.ts,
// the schema's introspection as types. It is generated and committed; a schema edit without
// regenerating it must fail here rather than leave the documents typed against the old schema.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATE_COMMAND, GRAPHQL_ENV_PATH, SCHEMA_PATH, renderGraphqlEnv, renderGraphqlEnvFromSchemaFile } from '../../infra/local/graphql/web-graphql-env.js';

describe('web/src/api/graphql-env.d.ts', () => {
  it('is what the generator writes for schema/schema.graphql as it is now', () => {
    const committed = readFileSync(GRAPHQL_ENV_PATH, 'utf8');
    const stale = committed !== renderGraphqlEnvFromSchemaFile();
    expect(stale, `web/src/api/graphql-env.d.ts is stale: schema/schema.graphql changed since it was generated. Run \`${GENERATE_COMMAND}\` and commit the result.`).toBe(false);
  });

  it('changes with the schema, so an edit is caught', () => {
    const sdl = readFileSync(SCHEMA_PATH, 'utf8');
    const edited = sdl.replace('type Model {', 'type Model {\n  contextWindow: Int!');
    expect(edited).not.toBe(sdl);
    expect(renderGraphqlEnv(edited)).not.toBe(renderGraphqlEnv(sdl));
    expect(renderGraphqlEnv(edited)).toContain("'contextWindow': { name: 'contextWindow'");
  });

  it('knows the AppSync scalars and directives the SDL uses undeclared', () => {
    const text = renderGraphqlEnv(readFileSync(SCHEMA_PATH, 'utf8'));
    for (const scalar of ['AWSDate', 'AWSDateTime', 'AWSJSON', 'AWSEmail']) expect(text).toContain(`'${scalar}': unknown;`);
    // Named, so it does not claim gql.tada's global setupSchema: documents are typed through web/src/api/typed-graphql.ts, with the scalars' TypeScript types.
    expect(text).toContain("name: 'sluice';");
    expect(text).not.toContain('interface setupSchema');
  });
});
