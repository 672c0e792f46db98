/**
 * The gateway API Lambda: a data source of the GraphQL pipeline (RequestResponse). Each
 * call names one action; see actions.ts. Typed failures come back as values, so the
 * resolver raises them with their errorType (BudgetExceeded, RateLimited, ...).
 */
import { ledgerDepsFromEnv } from '../shared/ledger/index.js';
import { logger } from '../shared/metrics.js';
import { runAction, type ActionResult, type GatewayAction } from './actions.js';

const ACTIONS = new Set(['admit', 'myUsage', 'models', 'usageReport', 'topUsers', 'auditLog', 'setBudgetOverride', 'clearBudgetOverride']);
const deps = ledgerDepsFromEnv();

function isGatewayAction(value: unknown): value is GatewayAction {
  const v = value as { action?: unknown; caller?: { sub?: unknown; groups?: unknown } } | null;
  return Boolean(v && typeof v.action === 'string' && ACTIONS.has(v.action) && typeof v.caller?.sub === 'string' && Array.isArray(v.caller.groups));
}

export async function handler(event: unknown): Promise<ActionResult> {
  if (!isGatewayAction(event)) {
    return { error: { errorType: 'ValidationError', message: 'The gateway API received a malformed action.', errorInfo: {} } };
  }
  try {
    return await runAction(deps, event);
  } catch (error) {
    // Bad input the ledger rejects (RangeError/TypeError) is the caller's; the rest is ours.
    if (error instanceof RangeError || error instanceof TypeError) {
      return { error: { errorType: 'ValidationError', message: error.message, errorInfo: {} } };
    }
    logger.error('gateway API action failed', { action: event.action, error: error as Error });
    throw error;
  }
}
