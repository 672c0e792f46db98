import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonDepthError, parseJsonWithin } from '../../../functions/shared/json-limits.js';
import { lowerCaseHeaders } from '../auth/authorizer.js';
import { EVENTS_HTTP_PATH, MAX_FRAME_SIZE_IN_BYTES } from './constants.js';
import { badRequest, EventsError } from './errors.js';
import type { EventsOperations } from './operations.js';

/** Headers a browser may send on a publish (the CORS preflight allows them). */
const ALLOWED_HEADERS = [
  'x-api-key',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-user-agent',
  'x-amz-content-sha256',
  'content-type',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
];

/**
 * Serves HTTP publish: `POST /event` with `{channel, events}`, answering
 * `{successful, failed}` or an AppSync-style error (`x-amzn-ErrorType` header, status
 * 400/401/403, body `{errors, message}`), and the browsers' CORS preflight.
 * Returns false for requests that are not its own.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
 * @example
 * ```ts
 * if (await handlePublishRequest(req, res, operations)) return;
 * ```
 */
export async function handlePublishRequest(req: IncomingMessage, res: ServerResponse, operations: EventsOperations): Promise<boolean> {
  const [path] = (req.url ?? '/').split('?');
  if (path !== EVENTS_HTTP_PATH && path !== `${EVENTS_HTTP_PATH}/`) return false;
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
  res.setHeader('access-control-allow-headers', ALLOWED_HEADERS.join(', '));
  res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
  res.setHeader('x-amzn-requestid', randomUUID());
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return true;
  }
  if (req.method !== 'POST') {
    sendError(res, badRequest(`${req.method} is not supported on ${EVENTS_HTTP_PATH}; publish with POST.`));
    return true;
  }

  const body = await readBody(req);
  if (body === undefined) {
    sendError(res, badRequest(`Request body exceeds ${MAX_FRAME_SIZE_IN_BYTES} bytes.`));
    return true;
  }
  let parsed: { channel?: unknown; events?: unknown };
  try {
    parsed = parseJsonWithin(body) as typeof parsed;
  } catch (error) {
    sendError(res, badRequest(error instanceof JsonDepthError ? `Request body ${error.message}` : 'Request body is not valid JSON.'));
    return true;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    sendError(res, badRequest('Request body must be a JSON object {"channel": "...", "events": ["..."]}.'));
    return true;
  }
  const headers = lowerCaseHeaders(req.headers);
  const result = await operations.publish({
    channel: parsed.channel,
    events: parsed.events,
    auth: { headers, body, method: 'POST', path: req.url ?? EVENTS_HTTP_PATH, sourceIp: req.socket.remoteAddress },
    headers: req.headers,
  });
  if (result instanceof EventsError) {
    sendError(res, result);
    return true;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  return true;
}

/** Reads the body; undefined when it is larger than a publish may be (the rest is drained, not kept). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_FRAME_SIZE_IN_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_FRAME_SIZE_IN_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function sendError(res: ServerResponse, error: EventsError): void {
  res
    .writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.errorType })
    .end(JSON.stringify({ errors: [error.toWire()], message: error.message }));
}
