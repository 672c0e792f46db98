/**
 * The gateway API Lambda's work: a data source of the GraphQL pipeline (RequestResponse).
 * Each call names the field it serves; see actions.ts. Its entry point (./handler.ts),
 * promptIntake's admission and the OpenAI-compatible API's all call it. Typed failures come back as values,
 * so the resolver raises them with their errorType (BudgetExceeded, RateLimited, ...).
 */
import { tableName } from '../shared/dynamo.js';
import { ledgerDepsFromEnv } from '../shared/ledger/index.js';
import { ERROR_CLASSES, ErrorCode } from '../../schema/errors.js';
import { tableEnvironmentName } from '../shared/table-names.js';
import { classifyFailure } from '../shared/failure.js';
import { withInvocationDeadline } from '../shared/deadline.js';
import { logger } from '../shared/metrics.js';
import { isKnownAction, runAction, type ActionDeps, type ActionResult, type GatewayAction } from './actions.js';
import { cloudWatchMetricsSource, localMetricsSource } from './metrics-source.js';
import { userDirectoryFromEnv } from './user-directory.js';

// Built once per container, so the user directory's email cache lives as long as it does.
const deps: ActionDeps = {
  ledger: ledgerDepsFromEnv(),
  // Only the twin sets SLUICE_METRICS_URL: there the EMF records never reach CloudWatch.
  metrics: process.env.SLUICE_METRICS_URL ? localMetricsSource(process.env.SLUICE_METRICS_URL) : cloudWatchMetricsSource(),
  // USER_POOL_ID is set where the function may call ListUsers (infra/gateway.ts `readsUserPool`).
  users: userDirectoryFromEnv(process.env, logger),
  // Set where the manifest grants the tables: admit then records startChat's turn (request,
  // conversation, user message) with its reservation.
  turnTables: process.env[tableEnvironmentName('ChatRequests')]
    ? { requests: tableName('ChatRequests'), conversations: tableName('Conversations'), messages: tableName('Messages') }
    : undefined,
};

function isGatewayAction(value: unknown): value is GatewayAction {
  const v = value as { action?: unknown; caller?: { sub?: unknown; groups?: unknown }; args?: unknown } | null;
  return Boolean(
    v && typeof v.action === 'string' && isKnownAction(v.action) && typeof v.caller?.sub === 'string' && Array.isArray(v.caller.groups) && typeof v.args === 'object',
  );
}

export function serveGatewayAction(event: unknown, context?: unknown): Promise<ActionResult> {
  // Ledger retries stop when this invocation's remaining time cannot fit another (15 s timeout).
  return withInvocationDeadline(context, () => serve(event));
}

async function serve(event: unknown): Promise<ActionResult> {
  if (!isGatewayAction(event)) {
    return { error: { errorType: ErrorCode.VALIDATION, message: 'The gateway API received a malformed action.', errorInfo: { retryable: false } } };
  }
  try {
    return await runAction(deps, event);
  } catch (error) {
    // Classified where it is caught: the caller's bad input, a dependency's failure, or our bug.
    const failure = classifyFailure(error);
    if (failure.correlationId) {
      logger.error('gateway API action failed', { action: event.action, correlationId: failure.correlationId, error: error as Error });
    } else if (ERROR_CLASSES[failure.code].blame === 'dependency') {
      // An operator's concern (a dependency is failing), not the caller's: logged as an error.
      logger.error('gateway API action failed: a dependency', { action: event.action, errorType: failure.code, reason: failure.message });
    } else {
      // `message` is a key Powertools reserves (it would drop it): the reason goes under its own.
      logger.warn('gateway API action refused', { action: event.action, errorType: failure.code, reason: failure.message });
    }
    const errorInfo = { retryable: failure.retryable, ...(failure.correlationId ? { correlationId: failure.correlationId } : {}) };
    return { error: { errorType: failure.code, message: failure.message, errorInfo } };
  }
}
