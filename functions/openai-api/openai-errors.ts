/**
 * Errors in OpenAI's shape (`{ error: { message, type, param, code } }`) with the HTTP status
 * OpenAI's clients act on: 400 bad input, 401 bad key, 403 model not allowed, 404 unknown
 * model or path, 429 rate limit or budget (with Retry-After), 5xx ours or a dependency's.
 * The SDKs raise a typed error per status (BadRequestError, AuthenticationError, …).
 */
export interface OpenAiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  /** Seconds, for 429 and 503. */
  retryAfterSeconds?: number;
}

export function openAiError(status: number, type: string, code: string | null, message: string, options: { param?: string; retryAfterSeconds?: number } = {}): OpenAiError {
  return {
    status,
    body: { error: { message, type, param: options.param ?? null, code } },
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.max(1, Math.ceil(options.retryAfterSeconds)) } : {}),
  };
}

export const badRequest = (message: string, param?: string) => openAiError(400, 'invalid_request_error', 'invalid_request', message, { param });
export const unauthorized = (message: string) => openAiError(401, 'invalid_request_error', 'invalid_api_key', message);

/** A refusal from admission (functions/gateway-api `admit`), as OpenAI says it. */
export function admissionRefusal(errorType: string, message: string, info: Record<string, unknown>, now: Date): OpenAiError {
  switch (errorType) {
    case 'ValidationError':
      return badRequest(message, info.field === 'maxTokens' ? 'max_tokens' : undefined);
    case 'ModelNotAllowed':
      return openAiError(403, 'permission_error', 'model_not_allowed', message, { param: 'model' });
    case 'BudgetExceeded': {
      const resetsAt = Date.parse(String(info.resetsAt));
      return openAiError(429, 'insufficient_quota', 'budget_exceeded', message, { retryAfterSeconds: Number.isNaN(resetsAt) ? 60 : (resetsAt - now.getTime()) / 1000 });
    }
    case 'RateLimited':
      return openAiError(429, 'requests', 'rate_limit_exceeded', message, { retryAfterSeconds: Number(info.retryAfterSeconds) || 1 });
    case 'LedgerBusy':
      return openAiError(503, 'server_error', 'ledger_busy', message, { retryAfterSeconds: 1 });
    default:
      return openAiError(500, 'server_error', 'internal_error', 'The gateway could not admit the request.');
  }
}
