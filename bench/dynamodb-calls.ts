/**
 * Times the two DynamoDB round trips every gateway turn makes before its model call, both
 * conditional UpdateItems on the user's budget item (functions/shared/ledger/budget-item.ts):
 * admission's (from the gateway API Lambda, `SET #r = :entry` on the turn's `R#<requestId>`
 * entry) and the streaming Lambda's claim (`SET #r.k = :now` on the same entry).
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
  /** Requests sent: above 1 when the SDK retried. */
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

type TargetKind = 'admissionWrite' | 'claim';

/** The DynamoDB operation (JSON 1.0 `x-amz-target`) both round trips are. */
const UPDATE_ITEM_TARGET = 'DynamoDB_20120810.UpdateItem';
/** How each round trip's update expression begins (functions/shared/ledger/reserve.ts and claim.ts). */
const EXPRESSION_PREFIX: Record<TargetKind, string> = { admissionWrite: 'SET #r = :entry', claim: 'SET #r.k = :now' };
/** The attribute name of a turn's entry in the budget item. */
const ENTRY_PREFIX = 'R#';

interface Call {
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
    if (headerOf(request, 'x-amz-target') !== UPDATE_ITEM_TARGET) return undefined;
    const call: Call = { body: textOf(request.body), startedAt: performance.now() };
    unread.push(call);
    return () => {
      call.endedAt = performance.now();
    };
  });

  const index = () => {
    for (const call of unread) {
      const found = roundTripOfCall(call);
      if (found === undefined) continue;
      const calls = byRequest.get(found.requestId) ?? { admissionWrite: [], claim: [] };
      calls[found.kind].push(call);
      byRequest.set(found.requestId, calls);
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

interface UpdateItemBody {
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, unknown>;
}

/** Which round trip of which turn a call is, or undefined when it is neither. */
function roundTripOfCall(call: Call): { kind: TargetKind; requestId: string } | undefined {
  if (call.body === undefined) return undefined;
  let body: UpdateItemBody;
  try {
    body = JSON.parse(call.body) as UpdateItemBody;
  } catch {
    return undefined;
  }
  const entry = body.ExpressionAttributeNames?.['#r'];
  if (typeof entry !== 'string' || !entry.startsWith(ENTRY_PREFIX)) return undefined;
  const expression = body.UpdateExpression ?? '';
  const kind = (Object.keys(EXPRESSION_PREFIX) as TargetKind[]).find((k) => expression.startsWith(EXPRESSION_PREFIX[k]));
  return kind ? { kind, requestId: entry.slice(ENTRY_PREFIX.length) } : undefined;
}

