import { isRecord, type DataSourceOutcome } from './types.js';

/**
 * The NONE data source: `ctx.result` is the request's `payload`, untouched (AppSync's
 * "local resolver").
 *
 * @example
 * ```ts
 * await invokeNone({ payload: { id: 1 } }); // { result: { id: 1 } }
 * ```
 */
export async function invokeNone(request: unknown): Promise<DataSourceOutcome> {
  return { result: isRecord(request) && 'payload' in request ? (request.payload ?? null) : null };
}
