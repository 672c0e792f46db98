import type { DataSource } from '../../gateway.js';
import { createDynamoDbDataSource, type DynamoDbDataSource } from './dynamodb.js';
import { invokeLambda } from './lambda.js';
import { invokeNone } from './none.js';
import type { DataSourceCall, DataSourceContext, DataSourceOutcome } from './types.js';

export * from './types.js';
export { createDynamoDbDataSource, DYNAMODB_OPERATIONS } from './dynamodb.js';
export { invokeLambda } from './lambda.js';
export { invokeNone } from './none.js';

/** The manifest's data sources, ready to take request objects. */
export interface DataSources {
  invoke(call: DataSourceCall): Promise<DataSourceOutcome>;
  close(): void;
}

/**
 * Builds the data sources the manifest declares: DynamoDB (against DynamoDB Local),
 * Lambda (through the twin's in-process invoker) and NONE.
 *
 * @example
 * ```ts
 * const sources = createDataSources({ ...twin.context, tables: manifest.tables });
 * const outcome = await sources.invoke({ dataSource, request, lambdaEvent });
 * ```
 */
export function createDataSources(context: DataSourceContext): DataSources {
  const dynamo = new Map<string, DynamoDbDataSource>();
  const dynamoFor = (source: Extract<DataSource, { type: 'AMAZON_DYNAMODB' }>) => {
    let ds = dynamo.get(source.name);
    if (!ds) {
      ds = createDynamoDbDataSource(context, source.table);
      dynamo.set(source.name, ds);
    }
    return ds;
  };
  return {
    async invoke({ dataSource, request, lambdaEvent }) {
      switch (dataSource.type) {
        case 'NONE':
          return invokeNone(request);
        case 'AWS_LAMBDA':
          return invokeLambda(context, dataSource.functionName, request, lambdaEvent);
        case 'AMAZON_DYNAMODB':
          return dynamoFor(dataSource).invoke(request);
      }
    },
    close() {
      for (const ds of dynamo.values()) ds.close();
    },
  };
}
