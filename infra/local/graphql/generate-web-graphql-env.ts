/**
 * Rewrites web/src/api/graphql-env.d.ts from schema/schema.graphql. Run it after every
 * schema edit (`npm run generate:graphql`); test/unit/graphql-env.test.ts fails until then.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { REPO_ROOT } from '../paths.js';
import { GRAPHQL_ENV_PATH, renderGraphqlEnvFromSchemaFile } from './web-graphql-env.js';

writeFileSync(GRAPHQL_ENV_PATH, renderGraphqlEnvFromSchemaFile());
console.log(`wrote ${relative(REPO_ROOT, GRAPHQL_ENV_PATH)}`);
