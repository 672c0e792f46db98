/**
 * How a function learns a manifest table's physical name: from `TABLE_<NAME>`, which the
 * CDK stack and the twin both set. The one spelling of that rule.
 */

/**
 * The environment variable that carries a table's physical name.
 * @example
 * tableEnvironmentName('ChatRequests'); // 'TABLE_CHATREQUESTS'
 */
export function tableEnvironmentName(logicalName: string): string {
  return `TABLE_${logicalName.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/**
 * The physical name of a manifest table, from the environment; throws when the host did
 * not set it (a deployment error, not a user's).
 * @example
 * const requests = tableNameFromEnv('ChatRequests');
 */
export function tableNameFromEnv(logicalName: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = tableEnvironmentName(logicalName);
  const value = env[key];
  if (!value) throw new TypeError(`${key} is not set: the host must pass the ${logicalName} table's name`);
  return value;
}
