import { CfnOutput } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { isAbsolute, resolve } from 'node:path';
import type { DataSource, GraphqlApi } from '../gateway.js';
import { graphqlAuthMode } from './auth-modes.js';
import { suppressAppSyncRoleFindings } from './appsync-suppressions.js';
import { pascal } from './auth.js';
import { LOG_RETENTION } from './defaults.js';
import type { SluiceFunctions } from './functions.js';
import type { ManifestCode } from './manifest-code.js';
import type { SluiceTables } from './tables.js';

export interface SluiceGraphqlApiProps {
  graphql: GraphqlApi;
  rootDir: string;
  userPool: IUserPool;
}

export interface ResolverWiring {
  code: ManifestCode;
  dataSources: DataSource[];
  functions: SluiceFunctions;
  tables: SluiceTables;
}

/**
 * The AppSync GraphQL API: the schema file, the manifest's auth modes, request logging and
 * X-Ray; then (in {@link SluiceGraphqlApi.addResolvers}) the DynamoDB, Lambda and NONE data
 * sources its pipeline functions use, the APPSYNC_JS pipeline functions and pipeline resolvers.
 *
 * @example
 * ```ts
 * const graphql = new SluiceGraphqlApi(this, 'Graphql', { graphql: gateway.graphql, rootDir, userPool });
 * graphql.addResolvers({ code, dataSources: gateway.dataSources, functions, tables });
 * ```
 */
export class SluiceGraphqlApi extends Construct {
  readonly api: appsync.GraphqlApi;
  readonly dataSources = new Map<string, appsync.BaseDataSource>();
  readonly #graphql: GraphqlApi;

  constructor(scope: Construct, id: string, props: SluiceGraphqlApiProps) {
    super(scope, id);
    this.#graphql = props.graphql;
    const schemaPath = isAbsolute(props.graphql.schema) ? props.graphql.schema : resolve(props.rootDir, props.graphql.schema);
    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: props.graphql.name,
      definition: appsync.Definition.fromFile(schemaPath),
      authorizationConfig: {
        defaultAuthorization: graphqlAuthMode(props.graphql.defaultAuthMode, props.userPool),
        additionalAuthorizationModes: props.graphql.additionalAuthModes.map((mode) => graphqlAuthMode(mode, props.userPool)),
      },
      logConfig: {
        fieldLogLevel: appsync.FieldLogLevel.ERROR,
        excludeVerboseContent: false,
        retention: LOG_RETENTION,
      },
      xrayEnabled: true,
      queryDepthLimit: props.graphql.queryDepthLimit,
      resolverCountLimit: props.graphql.resolverCountLimit,
    });
    new CfnOutput(scope, 'GraphqlUrl', { value: this.api.graphqlUrl });
  }

  /**
   * Adds the pipeline functions and resolvers of the manifest, and the data sources those
   * functions name (only those: the Events API's data sources stay on the Events API).
   */
  addResolvers(wiring: ResolverWiring): void {
    const used = new Set(this.#graphql.functions.map((f) => f.dataSource));
    for (const spec of wiring.dataSources.filter((d) => used.has(d.name))) {
      const id = `DataSource${pascal(spec.name)}`;
      const ds =
        spec.type === 'AMAZON_DYNAMODB'
          ? this.api.addDynamoDbDataSource(id, wiring.tables.byName.get(spec.table)!, { name: spec.name })
          : spec.type === 'AWS_LAMBDA'
            ? this.api.addLambdaDataSource(id, wiring.functions.byName.get(spec.functionName)!, { name: spec.name })
            : this.api.addNoneDataSource(id, { name: spec.name });
      this.dataSources.set(spec.name, ds);
    }
    const pipelineFunctions = new Map<string, appsync.AppsyncFunction>();
    for (const spec of this.#graphql.functions) {
      pipelineFunctions.set(
        spec.name,
        new appsync.AppsyncFunction(this, `Function${pascal(spec.name)}`, {
          api: this.api,
          name: spec.name,
          dataSource: this.dataSources.get(spec.dataSource)!,
          code: appsync.Code.fromInline(bundled(wiring.code, spec.code)),
          runtime: appsync.FunctionRuntime.JS_1_0_0,
        }),
      );
    }
    for (const spec of this.#graphql.resolvers) {
      new appsync.Resolver(this, `Resolver${pascal(spec.typeName)}${pascal(spec.fieldName)}`, {
        api: this.api,
        typeName: spec.typeName,
        fieldName: spec.fieldName,
        code: appsync.Code.fromInline(bundled(wiring.code, spec.code)),
        runtime: appsync.FunctionRuntime.JS_1_0_0,
        pipelineConfig: spec.pipeline.map((name) => pipelineFunctions.get(name)!),
      });
    }
    // After the data sources exist: suppressions apply to the children present at the call.
    suppressAppSyncRoleFindings(this.api);
  }
}

function bundled(code: ManifestCode, file: string): string {
  const text = code.bundles.get(file);
  if (text === undefined) throw new Error(`${file} was not bundled; pass the result of bundleManifestCode(manifest)`);
  return text;
}
