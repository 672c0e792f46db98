import { tableEnvironmentName } from '../../../functions/shared/table-names.js';
import type { Table } from '../../gateway.js';

export { tableEnvironmentName };

/**
 * `ctx.env` for resolvers (AppSync GraphQL environment variables): every manifest table's
 * physical name, so batch and transaction requests, which name their tables, work the
 * same on the twin and in the cloud (where the stack sets the same variables).
 *
 * @example
 * ```ts
 * tableEnvironment(manifest.tables, context.dynamodb.tableName); // { TABLE_REQUESTS: 'sluice-requests', … }
 * ```
 */
export function tableEnvironment(tables: Pick<Table, 'name'>[], physicalName: (logical: string) => string): Record<string, string> {
  return Object.fromEntries(tables.map((t) => [tableEnvironmentName(t.name), physicalName(t.name)]));
}
