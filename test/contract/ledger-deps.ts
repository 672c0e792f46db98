/**
 * Ledger dependencies for a test suite: the Budgets and Ledger tables from the manifest,
 * created in the shared DynamoDB Local under a random prefix so suites never share data.
 */
import { randomBytes } from 'node:crypto';
import { gateway } from '../../infra/gateway.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import type { Clock } from '../../functions/shared/clock.js';
import { BUDGETS_TABLE, documentClient, LEDGER_TABLE, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import { sharedBackingServices } from '../helpers/services.js';

export interface LedgerTestDeps {
  deps: LedgerDeps;
  close(): void;
}

/** Creates fresh budget tables and deps using `clock`. */
export async function ledgerTestDeps(clock: Clock): Promise<LedgerTestDeps> {
  const client = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  const prefix = `ledger${randomBytes(4).toString('hex')}_`;
  const tables = gateway.tables.filter((t) => t.name === BUDGETS_TABLE || t.name === LEDGER_TABLE);
  await ensureTables(client, tables, prefix);
  return {
    deps: {
      db: documentClient(client),
      tables: { budgets: physicalTableName(prefix, { name: BUDGETS_TABLE }), ledger: physicalTableName(prefix, { name: LEDGER_TABLE }) },
      clock,
    },
    close: () => client.destroy(),
  };
}
