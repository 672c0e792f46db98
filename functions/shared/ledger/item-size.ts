/**
 * DynamoDB's size of an item as it bills writes: attribute names and values in UTF-8
 * bytes, numbers at about one byte per two significant digits plus one, 3 bytes of
 * overhead per map or list plus 1 per element. One write unit covers 1 KB of the larger
 * of the item before and after the write; a transaction bills each item twice.
 */

/** Size in bytes of one attribute value. */
function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/^0+|\.|e.*$/g, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') return 3 + Object.entries(value).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueSize(element), 0);
  return Buffer.byteLength(String(value), 'utf8');
}

/**
 * The item's size in bytes.
 * @example
 * itemSizeInBytes({ pk: 'USER#1', sk: 'BUDGET' }); // 16
 */
export function itemSizeInBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value), 0);
}

/**
 * Write units of one standard (non-transactional) write of an item of `bytes`.
 * @example
 * writeUnits(600); // 1
 */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}
