import { Agent } from 'node:https';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler, streamCollector } from '@smithy/node-http-handler';
import { HttpRequest, type HttpHandler } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeSha256 } from './node-sha256.js';

/** @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html */
export const MAX_EVENTS_PER_PUBLISH = 5;

export interface PublishResult {
  successful: { identifier: string; index: number }[];
  failed: { identifier?: string; index: number; code?: number; message?: string }[];
}

/** A publish the Events API refused or that never got an answer. */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export interface EventsPublisherOptions {
  /** The Events API HTTP endpoint, e.g. https://xyz.appsync-api.us-east-1.amazonaws.com/event */
  url: string;
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  /**
   * Sends the signed request. @default a NodeHttpHandler (the AWS SDK's own HTTP
   * transport) on a keep-alive agent: each delta is one publish, and the handler costs a
   * fraction of `fetch`'s time and CPU per request.
   */
  requestHandler?: HttpHandler;
}

/** How long a publish may take before it counts as failed (and is retried). */
export const PUBLISH_TIMEOUT_IN_MS = 10_000;

/**
 * Publishes to AppSync Events over HTTP, signed with SigV4 (service `appsync`), as the
 * gateway's Lambda does in the cloud and on the twin alike.
 *
 * @example
 * ```ts
 * const publisher = new EventsPublisher({ url: process.env.SLUICE_EVENTS_URL!, region: 'us-east-1' });
 * await publisher.publish('/chat/sub/conv', [{ type: 'start' }]);
 * ```
 */
export class EventsPublisher {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #requestHandler: HttpHandler;

  constructor(options: EventsPublisherOptions) {
    this.#url = new URL(options.url);
    this.#requestHandler =
      options.requestHandler ??
      new NodeHttpHandler({ httpsAgent: new Agent({ keepAlive: true }), requestTimeout: PUBLISH_TIMEOUT_IN_MS, connectionTimeout: PUBLISH_TIMEOUT_IN_MS });
    this.#signer = new SignatureV4({
      service: 'appsync',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
  }

  /** Publishes up to five events to one channel; rejects with {@link PublishError}. */
  async publish(channel: string, events: unknown[]): Promise<PublishResult> {
    if (events.length === 0 || events.length > MAX_EVENTS_PER_PUBLISH) {
      throw new RangeError(`publish takes 1 to ${MAX_EVENTS_PER_PUBLISH} events, got ${events.length}`);
    }
    const body = JSON.stringify({ channel, events: events.map((event) => JSON.stringify(event)) });
    const request = new HttpRequest({
      method: 'POST',
      protocol: this.#url.protocol,
      hostname: this.#url.hostname,
      port: this.#url.port ? Number(this.#url.port) : undefined,
      path: this.#url.pathname,
      headers: { host: this.#url.host, 'content-type': 'application/json; charset=UTF-8', accept: 'application/json' },
      body,
    });
    const signed = await this.#signer.sign(request);
    let status: number;
    let errorType: string | undefined;
    let text: string;
    try {
      const { response } = await this.#requestHandler.handle(signed as HttpRequest);
      status = response.statusCode;
      errorType = response.headers['x-amzn-errortype'];
      text = response.body ? Buffer.from(await streamCollector(response.body)).toString('utf8') : '';
    } catch (error) {
      throw new PublishError(`Events publish did not complete: ${(error as Error).message}`, undefined, true, { cause: error });
    }
    if (status < 200 || status > 299) {
      // Amplify retries 5xx and 429 too; 4xx other than 429 will fail again the same way.
      const retryable = status >= 500 || status === 429;
      throw new PublishError(`Events publish failed with ${status} ${errorType ?? 'UnknownError'}: ${text.slice(0, 300)}`, status, retryable);
    }
    const result = JSON.parse(text) as PublishResult;
    if (result.failed?.length) {
      throw new PublishError(`Events publish rejected ${result.failed.length} event(s): ${JSON.stringify(result.failed)}`, 200, false);
    }
    return result;
  }
}
