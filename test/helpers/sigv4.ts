import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Twin } from '../../infra/local/twin.js';

/** Credentials to sign with; the twin's own (from amplify_outputs) unless a test forges others. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * SigV4 headers for `POST <twin>/event` with `body`, signed for AppSync as the
 * streaming Lambda signs its publishes. Also the `authorization` object of an IAM
 * WebSocket frame (sign `{}` at connect, `{"channel"}` for subscribe).
 *
 * @example
 * ```ts
 * const headers = await signedEventsHeaders(twin, JSON.stringify({ channel: '/chat/x' }));
 * ```
 */
export async function signedEventsHeaders(
  twin: Twin,
  body: string,
  credentials: SigningCredentials = twin.outputs.custom.local.iam_credentials,
  signingDate?: Date,
): Promise<Record<string, string>> {
  return signedAppSyncHeaders(twin, twin.outputs.custom.events.url, body, credentials, signingDate);
}

/**
 * SigV4 headers for `POST <twin>/graphql` with `body`: an IAM caller of the GraphQL API.
 *
 * @example
 * ```ts
 * const headers = await signedGraphqlHeaders(twin, JSON.stringify({ query: '{ __typename }' }));
 * ```
 */
export async function signedGraphqlHeaders(twin: Twin, body: string): Promise<Record<string, string>> {
  return signedAppSyncHeaders(twin, twin.outputs.data.url, body, twin.outputs.custom.local.iam_credentials);
}

async function signedAppSyncHeaders(twin: Twin, endpoint: string, body: string, credentials: SigningCredentials, signingDate?: Date): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials, region: twin.outputs.custom.events.aws_region, service: 'appsync', sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json; charset=UTF-8', accept: 'application/json, text/javascript' },
      body,
    }),
    { signingDate },
  );
  return signed.headers as Record<string, string>;
}

/** What an HTTP publish answered. */
export interface PublishResponse {
  status: number;
  /** `x-amzn-ErrorType`, when the twin refused. */
  errorType: string | null;
  body: { successful?: { identifier: string; index: number }[]; failed?: unknown[]; errors?: { errorType: string; message: string }[]; message?: string };
}

/**
 * Publishes `events` (each JSON-encoded, as Amplify does) to `channel` over the Events
 * HTTP endpoint, signed with SigV4 using the twin's IAM credentials.
 *
 * @example
 * ```ts
 * const response = await signedEventsPublish(twin, `/chat/${sub}/c1`, [{ type: 'delta', seq: 1, text: 'hi' }]);
 * expect(response.status).toBe(200);
 * ```
 */
export async function signedEventsPublish(
  twin: Twin,
  channel: string,
  events: unknown[],
  options: { credentials?: SigningCredentials; tamper?: (body: string) => string; signingDate?: Date } = {},
): Promise<PublishResponse> {
  const body = JSON.stringify({ channel, events: events.map((event) => JSON.stringify(event)) });
  const headers = await signedEventsHeaders(twin, body, options.credentials, options.signingDate);
  const response = await fetch(twin.outputs.custom.events.url, { method: 'POST', headers, body: options.tamper ? options.tamper(body) : body });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as PublishResponse['body'] };
}
