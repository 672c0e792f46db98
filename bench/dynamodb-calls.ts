/**
 * Times the two DynamoDB round trips every gateway turn makes before its model call:
 * admission's reservation transaction (TransactWriteItems, from the gateway API Lambda) and
 * the streaming Lambda's claim (the UpdateItem that sets the turn's status to `streaming`).
 * The functions' DynamoDB clients send through a pass-through proxy in front of DynamoDB
 * Local (bench/http-tap.ts), which sees each request without touching gateway code. The
 * time is DynamoDB Local's answer as the proxy sees it: the SDK's serialising, signing and
 * the hop to the proxy before it, and its parsing after, count as the gateway's own work.
 */
import type { HttpRequest } from '@smithy/protocol-http';
import { addHttpTap } from './http-tap.js';

/** One round trip as the turn saw it (`performance.now()`), retries included. */
export interface RoundTrip {
  /** The first attempt handed to the HTTP handler. */
  startedAt: number;
  /** The last attempt's response arrived (or its request failed). */
  endedAt: number;
  /** Requests sent: above 1 when the SDK or the ledger (on TransactionConflict) retried. */
  attempts: number;
}

/** A turn's round trips, each absent until it has been seen and answered. */
export interface TurnDynamoDbCalls {
  admissionWrite?: RoundTrip;
  claim?: RoundTrip;
}

export interface DynamoDbCallRecorder {
  /** The round trips of the turn `requestId` since the last reset. */
  timesOf(requestId: string): TurnDynamoDbCalls;
  reset(): void;
  /** Stops recording. */
  uninstall(): void;
}

const TargetKind = { AdmissionWrite: 'admissionWrite', Claim: 'claim' } as const;
type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** The DynamoDB operations (JSON 1.0 `x-amz-target`) that can be one of the two round trips. */
const TARGETS: Record<string, TargetKind> = {
  'DynamoDB_20120810.TransactWriteItems': TargetKind.AdmissionWrite,
  'DynamoDB_20120810.UpdateItem': TargetKind.Claim,
};
/** The key prefix of a reservation item (functions/shared/ledger/tables.ts): only admission Puts one. */
const RESERVATION_KEY_PREFIX = 'RESERVATION#';
/** The status a claim sets (functions/shared/conversation-store.ts, `claimTurn`). */
const CLAIMED_STATUS = 'streaming';

interface Call {
  kind: TargetKind;
  /** The JSON request body, undefined if it was neither a string nor bytes. */
  body?: string;
  startedAt: number;
  endedAt?: number;
}

/**
 * Times each turn's admission write and claim by request id, through an {@link addHttpTap} tap.
 * @example
 * const calls = installDynamoDbCallRecorder();
 * // … run a gateway turn whose startChat answered requestId …
 * calls.timesOf(requestId); // { admissionWrite: { startedAt: 812.3, endedAt: 817.1, attempts: 1 }, claim: { … } }
 */
export function installDynamoDbCallRecorder(): DynamoDbCallRecorder {
  // Bodies are parsed when a turn's times are asked for, not while its requests are in flight.
  let unread: Call[] = [];
  let byRequest = new Map<string, Record<TargetKind, Call[]>>();
  const removeTap = addHttpTap((request) => {
    const kind = TARGETS[headerOf(request, 'x-amz-target') ?? ''];
    if (!kind) return undefined;
    const call: Call = { kind, body: textOf(request.body), startedAt: performance.now() };
    unread.push(call);
    return () => {
      call.endedAt = performance.now();
    };
  });

  const index = () => {
    for (const call of unread) {
      const requestId = requestIdOf(call);
      if (requestId === undefined) continue;
      const calls = byRequest.get(requestId) ?? { admissionWrite: [], claim: [] };
      calls[call.kind].push(call);
      byRequest.set(requestId, calls);
    }
    unread = [];
  };
  return {
    timesOf: (requestId) => {
      index();
      const calls = byRequest.get(requestId);
      return { admissionWrite: roundTripOf(calls?.admissionWrite), claim: roundTripOf(calls?.claim) };
    },
    reset: () => {
      unread = [];
      byRequest = new Map();
    },
    uninstall: removeTap,
  };
}

/** All attempts answered → first start to last end; undefined while none was seen or one is in flight. */
function roundTripOf(calls: Call[] | undefined): RoundTrip | undefined {
  if (!calls?.length || calls.some((call) => call.endedAt === undefined)) return undefined;
  return { startedAt: calls[0].startedAt, endedAt: calls[calls.length - 1].endedAt!, attempts: calls.length };
}

/**
 * The SDK's JSON protocol sends its body as bytes (a Uint8Array that also offers string
 * methods, which warn when called). Decoding them costs microseconds; keeping the bytes
 * instead would trust the SDK never to reuse its buffer.
 */
function textOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}

function headerOf(request: HttpRequest, name: string): string | undefined {
  for (const [key, value] of Object.entries(request.headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** DynamoDB JSON: `{ S: '…' }` for a string attribute. */
type AttributeMap = Record<string, { S?: unknown } | undefined>;

interface TransactWriteBody {
  TransactItems?: { Put?: { TableName?: string; Item?: AttributeMap } }[];
}

interface UpdateItemBody {
  Key?: AttributeMap;
  UpdateExpression?: string;
  ExpressionAttributeValues?: AttributeMap;
}

/** The turn a call belongs to, or undefined when it is not one of the two round trips. */
function requestIdOf(call: Call): string | undefined {
  if (call.body === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(call.body);
  } catch {
    return undefined;
  }
  return call.kind === TargetKind.AdmissionWrite ? admittedRequestId(body as TransactWriteBody) : claimedRequestId(body as UpdateItemBody);
}

/**
 * Admission is the transaction that Puts a reservation (`RESERVATION#<requestId>`); settling
 * and sweeping update one instead. Failing that, its Put of the turn's ChatRequests item.
 */
function admittedRequestId(body: TransactWriteBody): string | undefined {
  const puts = (body.TransactItems ?? []).flatMap((item) => (item.Put ? [item.Put] : []));
  for (const put of puts) {
    const pk = stringOf(put.Item?.pk);
    if (pk?.startsWith(RESERVATION_KEY_PREFIX)) return pk.slice(RESERVATION_KEY_PREFIX.length);
  }
  const request = puts.find((put) => put.TableName?.endsWith('ChatRequests'));
  return stringOf(request?.Item?.requestId);
}

/**
 * The claim assigns `streaming` to a ChatRequests item (`SET #status = :streaming`).
 * Finishing a turn assigns another status; cancelling one names `streaming` only in its
 * condition, so the value alone does not tell them apart.
 */
function claimedRequestId(body: UpdateItemBody): string | undefined {
  const expression = body.UpdateExpression ?? '';
  const placeholders = Object.entries(body.ExpressionAttributeValues ?? {}).flatMap(([name, value]) => (stringOf(value) === CLAIMED_STATUS ? [name] : []));
  const setsStreaming = placeholders.some((name) => new RegExp(`=\\s*${name}(?![\\w])`).test(expression));
  return setsStreaming ? stringOf(body.Key?.requestId) : undefined;
}

function stringOf(value: { S?: unknown } | undefined): string | undefined {
  return typeof value?.S === 'string' ? value.S : undefined;
}
