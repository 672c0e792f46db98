import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { Table, TableKey } from '../gateway.js';
import { pascal } from './auth.js';

export interface SluiceTablesProps {
  tables: Table[];
}

/** Environment variable through which a function learns a table's physical name; the twin sets the same. */
export { tableEnvironmentName } from '../../functions/shared/table-names.js';

function attribute(key: TableKey): dynamodb.Attribute {
  return { name: key.name, type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING };
}

/**
 * The manifest's DynamoDB tables: on demand, point-in-time recovery, TTL where the manifest
 * names an attribute, and retained when the stack is deleted (the ledger is money).
 *
 * @example
 * ```ts
 * const tables = new SluiceTables(this, 'Tables', { tables: gateway.tables });
 * tables.byName.get('ledger')!.grantReadWriteData(fn);
 * ```
 */
export class SluiceTables extends Construct {
  /** Tables by manifest name. */
  readonly byName = new Map<string, dynamodb.Table>();

  constructor(scope: Construct, id: string, props: SluiceTablesProps) {
    super(scope, id);
    for (const spec of props.tables) {
      const table = new dynamodb.Table(this, pascal(spec.name), {
        partitionKey: attribute(spec.partitionKey),
        sortKey: spec.sortKey ? attribute(spec.sortKey) : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: spec.ttlAttribute,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const gsi of spec.globalSecondaryIndexes ?? []) {
        table.addGlobalSecondaryIndex({
          indexName: gsi.name,
          partitionKey: attribute(gsi.partitionKey),
          sortKey: gsi.sortKey ? attribute(gsi.sortKey) : undefined,
          // The twin projects ALL (infra/local/dynamodb.ts); keep query results identical.
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.byName.set(spec.name, table);
    }
  }
}
