/**
 * The OpenAI-compatible API (`POST /v1/chat/completions`, `GET /v1/models`): a Lambda
 * function URL in RESPONSE_STREAM mode, so tokens reach the client as Bedrock produces them.
 * A request is admitted by the gateway API's own `admit` (the code startChat's pipeline
 * invokes), streamed and settled by the chat-stream code (streamTurn), and metered the same:
 * only the sink differs (server-sent events on the HTTP response instead of the Events channel).
 */
import { randomUUID } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { streamTurn, type StreamTurnOptions } from '../chat-stream/stream-chat-turn.js';
import { allowedModelViews } from '../gateway-api/admission.js';
import { serveGatewayAction as gatewayApi } from '../gateway-api/serve-action.js';
import { holdKeyBudget, ledgerDepsFromEnv, nowFrom, releaseKeyHold, resolvePolicy, withdrawReservation, type KeyHold, type Reservation } from '../shared/ledger/index.js';
import { logger } from '../shared/metrics.js';
import { findModel } from '../../schema/models.js';
import type { ChatTurnRequest } from '../../schema/stream-protocol.js';
import { callerDepsFromEnv, identifyCaller, type ApiCaller } from './caller.js';
import { parseChatRequest, type ChatCompletionTurn } from './chat-request.js';
import { JsonCompletionSink, SseCompletionSink, type CompletionMeta } from './completion-sinks.js';
import { sendError, sendJson, type ResponseStream } from './http-response.js';
import { admissionRefusal, badRequest, openAiError, unauthorized, type OpenAiError } from './openai-errors.js';
import { limitSnapshot, rateLimitHeaders } from './rate-limit-headers.js';

/** Largest request body read (Function URLs take up to 6 MB; a chat request needs far less). */
const MAX_BODY_BYTES = 1024 * 1024;

const ledger = ledgerDepsFromEnv();
const callers = callerDepsFromEnv(ledger);

export const handler = awslambda.streamifyResponse(async (event: LambdaFunctionURLEvent, responseStream: ResponseStream) => {
  const requestId = randomUUID();
  try {
    await serve(event, responseStream, requestId);
  } catch (error) {
    logger.error('OpenAI-compatible request failed', { requestId, error: error as Error });
    if (!responseStream.writableEnded && !responseStream.destroyed) {
      await sendError(responseStream, openAiError(500, 'server_error', 'internal_error', `The gateway failed; request id ${requestId}.`), { 'x-request-id': requestId }).catch(() => undefined);
    }
  }
});

/** Set in the cloud: CloudFront adds it to every request, so a request straight to the function URL is refused. */
const originSecret = process.env.SLUICE_ORIGIN_SECRET;

async function serve(event: LambdaFunctionURLEvent, stream: ResponseStream, requestId: string): Promise<void> {
  if (originSecret && header(event, 'x-sluice-origin-secret') !== originSecret) {
    return sendError(stream, openAiError(403, 'permission_error', 'not_through_cloudfront', 'Call the API at the gateway\'s CloudFront address.'));
  }
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = (event.rawPath ?? '/').replace(/\/+$/, '');
  const route = `${method} ${path}`;
  if (route !== 'POST /v1/chat/completions' && route !== 'GET /v1/models') {
    const known = path === '/v1/chat/completions' || path === '/v1/models';
    return sendError(stream, openAiError(known ? 405 : 404, 'invalid_request_error', known ? 'method_not_allowed' : 'unknown_url', `No route for ${method} ${event.rawPath}.`));
  }
  const identified = await identifyCaller(callers, header(event, 'authorization'));
  if (!identified.ok) return sendError(stream, unauthorized(identified.message));
  const caller = identified.caller;
  if (route === 'GET /v1/models') return listModels(stream, caller);
  return chatCompletion(event, stream, caller, requestId);
}

async function listModels(stream: ResponseStream, caller: ApiCaller): Promise<void> {
  const policy = await resolvePolicy(ledger, caller.sub, caller.groups);
  const data = allowedModelViews(policy).map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.provider }));
  await sendJson(stream, 200, { object: 'list', data });
}

async function chatCompletion(event: LambdaFunctionURLEvent, stream: ResponseStream, caller: ApiCaller, requestId: string): Promise<void> {
  const read = readChatRequest(event);
  if (!read.ok) return sendError(stream, read.error);
  const { turn } = read;
  const now = nowFrom(ledger);
  const conversationId = ulid();
  const { admitted, limits } = await admitTurn(caller, turn, { requestId, conversationId }, now);
  const baseHeaders = { 'x-request-id': requestId };
  if ('error' in admitted) {
    const headers = { ...baseHeaders, ...(limits ? rateLimitHeaders(limits, { requests: 0, micros: 0 }) : {}) };
    return sendError(stream, admissionRefusal(admitted.error.errorType, admitted.error.message, admitted.error.errorInfo, now), headers);
  }
  const admission = admitted.result as Admission;
  const held = await holdKey(caller, requestId, admission, now);
  if (!held.ok) return sendError(stream, held.error, baseHeaders);
  const meta: CompletionMeta = {
    id: `chatcmpl-${requestId}`,
    model: turn.modelId,
    created: Math.floor(now.getTime() / 1000),
    headers: { ...baseHeaders, ...(limits ? rateLimitHeaders(limits, { requests: 1, micros: admission.reservedMicros }) : {}) },
  };
  await streamCompletion(stream, apiTurnRequest(caller, turn, admission, { requestId, conversationId }), {
    openStream: () => (turn.stream ? new SseCompletionSink(stream, meta, turn.includeUsage) : new JsonCompletionSink(stream, meta)),
    keyHold: held.keyHold,
  });
}

/** What the gateway API's `admit` answers for an admitted turn. */
interface Admission {
  maxTokens: number;
  policyGroup: string;
  reservedMicros: number;
  createdAt: string;
}

/** The body as a chat turn of a model Sluice offers, or the 400 or 404 that says why not. */
function readChatRequest(event: LambdaFunctionURLEvent): { ok: true; turn: ChatCompletionTurn } | { ok: false; error: OpenAiError } {
  const body = requestBody(event);
  if (body === undefined) return { ok: false, error: badRequest('The body must be JSON of at most 1 MB.') };
  const parsed = parseChatRequest(body);
  if (!parsed.ok) return { ok: false, error: badRequest(parsed.problems.join('; '), parsed.param) };
  const { turn } = parsed;
  if (!findModel(turn.modelId)) return { ok: false, error: openAiError(404, 'invalid_request_error', 'model_not_found', `The model ${turn.modelId} does not exist; GET /v1/models lists yours.`, { param: 'model' }) };
  return { ok: true, turn };
}

/**
 * Admits the turn with the gateway API's own `admit` (what startChat's pipeline invokes),
 * reading the caller's limits beside it for the rate-limit headers (absent if that read failed).
 */
async function admitTurn(caller: ApiCaller, turn: ChatCompletionTurn, ids: { requestId: string; conversationId: string }, now: Date) {
  const snapshot = limitSnapshot(ledger, caller, now);
  snapshot.catch(() => undefined);
  const admitted = await gatewayApi({
    action: 'admit',
    caller: { sub: caller.sub, username: caller.username, groups: caller.groups },
    args: {
      requestId: ids.requestId,
      modelId: turn.modelId,
      prompt: turn.allText,
      maxTokens: turn.maxTokens,
      conversationId: ids.conversationId,
      // The reservation names the key, so whoever ends the turn gives the key's hold back too.
      ...(caller.key ? { keyId: caller.key.keyId } : {}),
    },
  });
  const limits = await snapshot.catch(() => undefined);
  return { admitted, limits };
}

/**
 * Holds an API key's own daily budget for the turn (none for a Cognito caller). When the key
 * cannot pay, the user's reservation is withdrawn and the error says why.
 */
async function holdKey(caller: ApiCaller, requestId: string, admission: Admission, now: Date): Promise<{ ok: true; keyHold?: KeyHold } | { ok: false; error: OpenAiError }> {
  if (!caller.key) return { ok: true };
  const held = await holdKeyBudget(ledger, caller.key, requestId, admission.reservedMicros, new Date(admission.createdAt));
  if (held.ok) return { ok: true, keyHold: held.hold };
  await withdrawReservation(ledger, { requestId, userId: caller.sub, createdAt: admission.createdAt, reservedMicros: admission.reservedMicros } as Reservation);
  if (held.code === 'KeyRevoked') return { ok: false, error: unauthorized('The API key has been revoked.') };
  const retryAfterSeconds = (Date.parse(held.resetsAt) - now.getTime()) / 1000;
  const message = `The API key's daily budget is spent: $${held.remainingUsd} left today, this request needs up to $${admission.reservedMicros / 1e6}.`;
  return { ok: false, error: openAiError(429, 'insufficient_quota', 'key_budget_exceeded', message, { retryAfterSeconds }) };
}

/** The admitted turn as the chat-stream code runs it: a new conversation, its history from the request. */
function apiTurnRequest(caller: ApiCaller, turn: ChatCompletionTurn, admission: Admission, ids: { requestId: string; conversationId: string }): ChatTurnRequest {
  return {
    requestId: ids.requestId,
    userId: caller.sub,
    conversationId: ids.conversationId,
    modelId: turn.modelId,
    prompt: turn.prompt,
    maxTokens: admission.maxTokens,
    groups: caller.groups,
    policyGroup: admission.policyGroup,
    newConversation: true,
    createdAt: admission.createdAt,
    via: 'api',
    history: turn.history,
    inference: turn.inference,
    ...(turn.system ? { system: turn.system } : {}),
  };
}

/**
 * Streams the turn into the response. A client that hangs up closes the response stream
 * before the turn ended it: a cancel.
 */
async function streamCompletion(stream: ResponseStream, request: ChatTurnRequest, options: Pick<StreamTurnOptions, 'openStream'> & { keyHold?: KeyHold }): Promise<void> {
  const { keyHold } = options;
  const clientGone = new AbortController();
  const onClose = () => {
    if (!stream.writableFinished) clientGone.abort();
  };
  stream.on('close', onClose);
  stream.on('error', onClose);
  try {
    await streamTurn(request, { openStream: options.openStream, clientGone: clientGone.signal });
  } catch (error) {
    // The turn failed, maybe before it settled (its claim or a write): the key's hold goes
    // back if it is still there (a settled turn gave it back already); the sweeper releases
    // the user's reservation.
    if (keyHold) await releaseKeyHold(ledger, keyHold).catch(() => undefined);
    throw error;
  } finally {
    stream.off('close', onClose);
    stream.off('error', onClose);
  }
}

function header(event: LambdaFunctionURLEvent, name: string): string | undefined {
  return event.headers?.[name] ?? Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

function requestBody(event: LambdaFunctionURLEvent): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
