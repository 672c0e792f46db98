import type { WebSocket } from 'ws';
import { lowerCaseHeaders } from '../auth/authorizer.js';
import {
  ClientMessageType,
  EventsErrorType,
  MAX_BUFFERED_BYTES_PER_CONNECTION,
  MAX_FRAME_SIZE_IN_BYTES,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  SLOW_CONSUMER_CLOSE_CODE,
  SLOW_CONSUMER_CLOSE_REASON,
} from './constants.js';
import { badRequest, EventsError } from './errors.js';
import type { Subscriber, Subscription, SubscriptionHub } from './hub.js';
import type { EventsOperations, OperationAuth } from './operations.js';
import { parseClientFrame, type ClientMessage } from './receiver.js';
import { encodeFrame, frames } from './sender.js';

/** Path IAM clients sign subscribe and publish frames for (Amplify: the HTTP endpoint). */
const SIGNED_PATH = '/event';
/** How long a connection whose handshake auth failed waits for `connection_init` (Amplify waits 15 s for the ack). */
const REJECTED_CONNECTION_GRACE_IN_MS = 15_000;

export interface ConnectionOptions {
  socket: WebSocket;
  operations: EventsOperations;
  hub: SubscriptionHub;
  /** Handshake headers (lower-case), the base of `ctx.request.headers`. */
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string | undefined;
  /** Set when the handshake's auth was refused: the connection only reports it and closes. */
  rejection?: EventsError;
  keepAliveIntervalMs: number;
  maxDurationMs: number;
  log: (line: string) => void;
}

/**
 * One Events WebSocket connection: answers `connection_init`, sends `ka`, holds its
 * subscriptions and serves subscribe, unsubscribe and publish frames, each checked
 * against the frame's own `authorization`. Bad frames get error frames; the
 * connection stays open.
 *
 * @example
 * ```ts
 * const connection = new EventsConnection({ socket, operations, hub, headers, sourceIp, keepAliveIntervalMs: 60_000, maxDurationMs, log });
 * ```
 */
export class EventsConnection implements Subscriber {
  readonly subscriptions = new Map<string, Subscription>();
  /** Subscribe ids still being authorized, so a duplicate cannot slip in meanwhile. */
  readonly #pending = new Set<string>();
  readonly #options: ConnectionOptions;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: ConnectionOptions) {
    this.#options = options;
    const { socket } = options;
    socket.on('message', (data: Buffer, isBinary: boolean) => void this.#receive(data, isBinary));
    socket.on('close', () => this.#dispose());
    socket.on('error', (error) => options.log(`[events] socket error: ${error.message}`));
    if (options.rejection) {
      // Give the client time to send connection_init and read why; then hang up.
      const timer = setTimeout(() => socket.close(1000, 'Unauthorized'), REJECTED_CONNECTION_GRACE_IN_MS);
      timer.unref();
      this.#timers.push(timer);
      return;
    }
    options.hub.add(this);
    this.#timers.push(setInterval(() => this.send(encodeFrame(frames.keepAlive())), options.keepAliveIntervalMs));
    this.#timers.push(setTimeout(() => socket.close(1000, 'Maximum connection duration reached'), options.maxDurationMs));
    for (const timer of this.#timers) timer.unref();
  }

  send(text: string): void {
    const { socket } = this.#options;
    if (socket.readyState !== socket.OPEN) return;
    // A client that stopped reading: drop it rather than queue its messages without end.
    // The others on its channel are sent to as before (the hub sends each its own copy).
    if (socket.bufferedAmount + text.length > MAX_BUFFERED_BYTES_PER_CONNECTION) {
      this.#dropSlowConsumer();
      return;
    }
    socket.send(text);
  }

  #dropSlowConsumer(): void {
    const { socket } = this.#options;
    this.#options.log(`[events] dropping a slow consumer with ${socket.bufferedAmount} bytes unsent`);
    this.#dispose();
    socket.close(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_CLOSE_REASON);
    // The close frame waits behind the unsent data the client is not reading: do not wait for it.
    setTimeout(() => socket.terminate(), 1_000).unref();
  }

  #dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#options.hub.delete(this);
    this.subscriptions.clear();
  }

  async #receive(data: Buffer, isBinary: boolean): Promise<void> {
    const { rejection } = this.#options;
    if (rejection) {
      // Amplify reads connection_error in reply to connection_init, then gives up for good.
      this.send(encodeFrame(frames.connectionError(rejection)));
      this.#options.socket.close(1000, 'Unauthorized');
      return;
    }
    try {
      if (data.length > MAX_FRAME_SIZE_IN_BYTES) {
        this.send(encodeFrame(frames.error(badRequest(`Frame of ${data.length} bytes exceeds the limit of ${MAX_FRAME_SIZE_IN_BYTES} bytes.`))));
        return;
      }
      if (isBinary) {
        this.send(encodeFrame(frames.error(badRequest('Binary frames are not supported; send JSON text frames.'))));
        return;
      }
      const message = parseClientFrame(data.toString('utf8'));
      if ('error' in message) {
        this.send(encodeFrame(frames.error(message.error, message.id)));
        return;
      }
      await this.#handle(message);
    } catch (error) {
      // A bug in the twin must not cost the client its connection; report it instead.
      this.#options.log(`[events] frame failed: ${(error as Error).stack}`);
      this.send(encodeFrame(frames.error(new EventsError(500, EventsErrorType.INTERNAL, 'Internal failure in the local twin'))));
    }
  }

  async #handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case ClientMessageType.CONNECTION_INIT:
        this.send(encodeFrame(frames.connectionAck()));
        return;
      case ClientMessageType.UNSUBSCRIBE:
        this.send(encodeFrame(this.subscriptions.delete(message.id) ? frames.unsubscribeSuccess(message.id) : frames.unsubscribeError(message.id)));
        return;
      case ClientMessageType.SUBSCRIBE:
        return this.#subscribe(message);
      case ClientMessageType.PUBLISH:
        return this.#publish(message);
    }
  }

  async #subscribe(message: Extract<ClientMessage, { type: 'subscribe' }>): Promise<void> {
    const { id } = message;
    if (this.subscriptions.has(id) || this.#pending.has(id)) {
      this.send(encodeFrame(frames.subscribeError(id, badRequest(`Subscription id ${id} is already in use on this connection.`))));
      return;
    }
    if (this.subscriptions.size + this.#pending.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      this.send(encodeFrame(frames.subscribeError(id, badRequest(`A connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions.`))));
      return;
    }
    this.#pending.add(id);
    try {
      const accepted = await this.#options.operations.subscribe({
        channel: message.channel,
        auth: this.#auth(message.authorization, JSON.stringify({ channel: message.channel })),
        headers: this.#headers(message.authorization),
      });
      if (accepted instanceof EventsError) {
        this.send(encodeFrame(frames.subscribeError(id, accepted)));
        return;
      }
      this.subscriptions.set(id, { id, segments: accepted.channel.segments });
      this.send(encodeFrame(frames.subscribeSuccess(id)));
    } finally {
      this.#pending.delete(id);
    }
  }

  async #publish(message: Extract<ClientMessage, { type: 'publish' }>): Promise<void> {
    const result = await this.#options.operations.publish({
      channel: message.channel,
      events: message.events,
      // Amplify signs `{"channel","events"}` exactly as it sends them.
      auth: this.#auth(message.authorization, JSON.stringify({ channel: message.channel, events: message.events })),
      headers: this.#headers(message.authorization),
    });
    this.send(encodeFrame(result instanceof EventsError ? frames.publishError(message.id, result) : frames.publishSuccess(message.id, result)));
  }

  #auth(authorization: Record<string, unknown> | undefined, signedBody: string): OperationAuth {
    return { headers: lowerCaseHeaders(authorization), body: signedBody, method: 'POST', path: SIGNED_PATH, sourceIp: this.#options.sourceIp };
  }

  #headers(authorization: Record<string, unknown> | undefined): Record<string, string | string[] | undefined> {
    return { ...this.#options.headers, ...lowerCaseHeaders(authorization) };
  }
}
