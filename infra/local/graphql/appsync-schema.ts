import { readFileSync } from 'node:fs';
import { buildSchema, GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { AWS_SCALAR_NAMES, AWS_SCALARS } from './aws-scalars.js';

/**
 * The directives AppSync knows without a declaration. An SDL AppSync accepts uses
 * them undeclared, so the twin declares them before building the schema.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html
 */
export const APPSYNC_DIRECTIVES: Record<string, string> = {
  aws_api_key: 'directive @aws_api_key on FIELD_DEFINITION | OBJECT',
  aws_iam: 'directive @aws_iam on FIELD_DEFINITION | OBJECT',
  aws_oidc: 'directive @aws_oidc on FIELD_DEFINITION | OBJECT',
  aws_lambda: 'directive @aws_lambda on FIELD_DEFINITION | OBJECT',
  aws_cognito_user_pools: 'directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT',
  aws_auth: 'directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION',
  aws_subscribe: 'directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION',
  aws_publish: 'directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION',
};

/** The declarations the twin adds in front of an AppSync SDL (only those it does not declare itself). */
export function appSyncPreamble(sdl: string): string {
  const lines: string[] = [];
  for (const name of AWS_SCALAR_NAMES) {
    if (!new RegExp(`\\bscalar\\s+${name}\\b`).test(sdl)) lines.push(`scalar ${name}`);
  }
  for (const [name, declaration] of Object.entries(APPSYNC_DIRECTIVES)) {
    if (!new RegExp(`\\bdirective\\s+@${name}\\b`).test(sdl)) lines.push(declaration);
  }
  return lines.join('\n');
}

/**
 * Builds an executable-schema skeleton from SDL written for AppSync, unchanged: the AWS
 * scalars get their real parse/serialize/validation and the auth directives are known.
 *
 * @example
 * ```ts
 * const schema = buildAppSyncSchema(readFileSync('schema/schema.graphql', 'utf8'));
 * ```
 */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const schema = buildSchema(`${appSyncPreamble(sdl)}\n${sdl}`);
  for (const name of AWS_SCALAR_NAMES) {
    const type = schema.getType(name);
    if (type instanceof GraphQLScalarType) {
      // buildSchema makes pass-through scalars; give them AppSync's behaviour in place,
      // so every reference to the type inside the schema sees it.
      const real = AWS_SCALARS[name];
      Object.assign(type, {
        serialize: real.serialize,
        parseValue: real.parseValue,
        parseLiteral: real.parseLiteral,
      });
    }
  }
  return schema;
}

/** Reads and builds the schema file the manifest names. */
export function loadAppSyncSchema(path: string): GraphQLSchema {
  return buildAppSyncSchema(readFileSync(path, 'utf8'));
}
