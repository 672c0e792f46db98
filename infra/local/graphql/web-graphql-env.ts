import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minifyIntrospection, outputIntrospectionFile } from '@gql.tada/internal';
import { introspectionFromSchema } from 'graphql';
import { REPO_ROOT } from '../paths.js';
import { buildAppSyncSchema } from './appsync-schema.js';

/** The contract's SDL, as AppSync and the twin read it. */
export const SCHEMA_PATH = join(REPO_ROOT, 'schema', 'schema.graphql');
/** The schema's introspection as types, from which gql.tada types the web app's and the tests' documents. */
export const GRAPHQL_ENV_PATH = join(REPO_ROOT, 'web', 'src', 'api', 'graphql-env.d.ts');
/** The command that rewrites GRAPHQL_ENV_PATH; named wherever a stale file is reported. */
export const GENERATE_COMMAND = 'npm run generate:graphql';

const HEADER = [
  '/* eslint-disable */',
  '/* prettier-ignore */',
  `// Generated from schema/schema.graphql by \`${GENERATE_COMMAND}\` (infra/local/graphql/web-graphql-env.ts). Do not edit.`,
  '',
].join('\n');

/**
 * The text of web/src/api/graphql-env.d.ts for an AppSync SDL. The SDL uses AppSync's
 * scalars and auth directives undeclared, so it is built with the twin's preamble
 * (buildAppSyncSchema) before it is introspected. The introspection is named, so the
 * file declares only the `introspection` type and does not augment gql.tada's global
 * `setupSchema`: documents get their types from web/src/api/graphql.ts, which adds the
 * AWS scalars' TypeScript types.
 *
 * @example
 * ```ts
 * const text = renderGraphqlEnv(readFileSync(SCHEMA_PATH, 'utf8'));
 * ```
 */
export function renderGraphqlEnv(sdl: string): string {
  const introspection = { ...minifyIntrospection(introspectionFromSchema(buildAppSyncSchema(sdl))), name: 'sluice' };
  return `${outputIntrospectionFile(introspection, { fileType: '.d.ts', shouldPreprocess: true, preamble: HEADER })}\n`;
}

/** What GRAPHQL_ENV_PATH should hold for the schema file as it is now. */
export function renderGraphqlEnvFromSchemaFile(schemaPath = SCHEMA_PATH): string {
  return renderGraphqlEnv(readFileSync(schemaPath, 'utf8'));
}
