/**
 * Where the budget state and the usage ledger live, and how their keys are spelled.
 *
 * Two tables (docs/budgets.md draws them):
 * - `Budgets`: per-user counters (`USER#u` / `DAY#…`, `MONTH#…`, `MINUTE#…`), the
 *   per-user override (`USER#u` / `OVERRIDE`), reservations (`RESERVATION#id` /
 *   `RESERVATION`, with a sparse index of the open ones by expiry) and the admin audit
 *   trail (`AUDIT` / `<iso time>#<id>`);
 * - `Ledger`: one item per user, UTC day and model (`USER#u` / `DAY#d#MODEL#m`) with an
 *   index by day for reports over every user.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../clock.js';
import { documentClient } from '../dynamo.js';
import { tableNameFromEnv } from '../table-names.js';
import { InputError } from '../input-error.js';
import { pooledRequestHandler } from '../http-pool.js';

/** Manifest names of the tables (infra/gateway.ts declares them). */
export const BUDGETS_TABLE = 'Budgets';
export const LEDGER_TABLE = 'Ledger';
/** Sparse index of open reservations by expiry: the sweeper's work list. */
export const OPEN_RESERVATIONS_INDEX = 'openReservations';
/** Ledger index by UTC day: reports over every user. */
export const LEDGER_BY_DAY_INDEX = 'byDay';
/** The one partition of the open-reservations index (see docs/budgets.md on its write rate). */
export const OPEN_PARTITION = 'OPEN';
/** The partition of the audit trail. */
export const AUDIT_PARTITION = 'AUDIT';
/** The attribute DynamoDB TTL deletes items by (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAtEpochSeconds';

/** Physical table names. */
export interface LedgerTables {
  budgets: string;
  ledger: string;
}

/** What every ledger function needs: a DocumentClient, the tables and a clock. */
export interface LedgerDeps {
  db: DynamoDBDocumentClient;
  tables: LedgerTables;
  /** @default systemClock */
  clock?: Clock;
}

export { tableEnvironmentName } from '../table-names.js';
export { documentClient } from '../dynamo.js';

/**
 * Reads the physical table names from `TABLE_BUDGETS` and `TABLE_LEDGER`.
 * @example
 * const tables = tablesFromEnv(); // { budgets: 'test1Budgets', ledger: 'test1Ledger' }
 */
export function tablesFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerTables {
  return { budgets: tableNameFromEnv(BUDGETS_TABLE, env), ledger: tableNameFromEnv(LEDGER_TABLE, env) };
}


/**
 * Ledger dependencies for a Lambda: tables from the environment, DynamoDB at
 * `SLUICE_DYNAMODB_ENDPOINT` when the twin sets it, else the Region's endpoint.
 * @example
 * const deps = ledgerDepsFromEnv();
 */
export function ledgerDepsFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerDeps {
  const endpoint = env.SLUICE_DYNAMODB_ENDPOINT;
  return { db: documentClient(new DynamoDBClient({ requestHandler: pooledRequestHandler(), ...(endpoint ? { endpoint } : {}) })), tables: tablesFromEnv(env), clock: systemClock };
}

/** "Now" from an explicit argument, else the deps' clock. */
export function nowFrom(deps: LedgerDeps, now?: Date): Date {
  return now ?? (deps.clock ?? systemClock).now();
}

/** Key builders; one place so readers and writers cannot disagree. */
export const keys = {
  user: (userId: string) => `USER#${userId}`,
  day: (day: string) => `DAY#${day}`,
  month: (month: string) => `MONTH#${month}`,
  minute: (minute: string) => `MINUTE#${minute}`,
  override: 'OVERRIDE',
  reservation: (requestId: string) => ({ pk: `RESERVATION#${requestId}`, sk: 'RESERVATION' }),
  ledgerItem: (day: string, modelId: string) => `DAY#${day}#MODEL#${modelId}`,
};

const ID_PATTERN = /^[\w.:@+=,/-]{1,200}$/;

/** Throws an InputError unless `value` is a usable user or request id (letters, digits and `_.:@+=,/-`). */
export function checkId(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new InputError(`${field} must be 1–200 characters of letters, digits and _.:@+=,/-, got ${JSON.stringify(value)}`);
  }
}
