import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../functions/shared/node-sha256.js';
import type { LocalIamCredentials } from '../context.js';

/**
 * How far a request's `x-amz-date` may be from the twin's clock.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html
 */
export const MAX_CLOCK_SKEW_IN_MS = 5 * 60 * 1000;

/** The service name AppSync requests are signed for. */
export const APPSYNC_SIGNING_SERVICE = 'appsync';

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** A SigV4-signed request as it arrived. */
export interface SignedRequest {
  method: string;
  /** Path (and query) the client signed, e.g. `/event`. */
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface SigV4Expectation {
  credentials: LocalIamCredentials;
  region: string;
  /** @default Date.now */
  now?: () => number;
}

/** A verified signature (with the access key that made it), or why it was refused. */
export type SigV4Check = { ok: true; accessKeyId: string } | { ok: false; status: 401 | 403; message: string };

/** Signers by key, region and service: each caches its derived signing keys across requests. */
const signers = new Map<string, SignatureV4>();
/** Distinct credentials a twin verifies are few; the bound only guards against churn in tests. */
const MAX_CACHED_SIGNERS = 64;

function signerFor(credentials: LocalIamCredentials, region: string, service: string): SignatureV4 {
  const key = `${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${region}\n${service}`;
  let signer = signers.get(key);
  if (!signer) {
    if (signers.size >= MAX_CACHED_SIGNERS) signers.clear();
    signer = new SignatureV4({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      region,
      service,
      sha256: NodeSha256,
      // Sign exactly what the client signed: no checksum header the client did not send.
      applyChecksum: false,
    });
    signers.set(key, signer);
  }
  return signer;
}

/** True when the `authorization` value claims to be a SigV4 signature. */
export function isSigV4Authorization(value: string | undefined): value is string {
  return typeof value === 'string' && value.startsWith('AWS4-HMAC-SHA256');
}

/**
 * Verifies a SigV4 signature by signing the request again, as it arrived, with the
 * twin's own credentials, and comparing the signatures in constant time. The payload
 * hash is computed from the body that arrived: a client-supplied
 * `x-amz-content-sha256` is only accepted when it equals that hash.
 *
 * @example
 * ```ts
 * const check = await verifySigV4({ method: 'POST', path: '/event', headers, body }, { credentials, region });
 * ```
 */
export async function verifySigV4(request: SignedRequest, expected: SigV4Expectation): Promise<SigV4Check> {
  const match = AUTHORIZATION_PATTERN.exec((request.headers.authorization ?? '').trim());
  if (!match) return { ok: false, status: 403, message: 'Authorization header requires Credential, SignedHeaders and Signature parameters.' };
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match;
  if (accessKeyId !== expected.credentials.accessKeyId) {
    return { ok: false, status: 403, message: 'The security token included in the request is invalid.' };
  }
  // The twin's credentials are long-term keys: they come with no session token, so any
  // token sent beside them, signed or not, is one AWS would not recognise.
  const sessionToken = request.headers['x-amz-security-token'];
  if (sessionToken !== undefined) {
    return { ok: false, status: 403, message: 'The security token included in the request is invalid.' };
  }
  if (region !== expected.region || service !== APPSYNC_SIGNING_SERVICE) {
    return { ok: false, status: 403, message: `Credential should be scoped to region ${expected.region} and service ${APPSYNC_SIGNING_SERVICE}.` };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, status: 403, message: "'Host' must be a signed header." };
  const amzDate = request.headers['x-amz-date'];
  const dateMatch = amzDate ? AMZ_DATE_PATTERN.exec(amzDate) : null;
  if (!dateMatch || !signedHeaders.includes('x-amz-date') || !amzDate!.startsWith(scopeDate)) {
    return { ok: false, status: 403, message: 'A signed X-Amz-Date header matching the credential scope is required.' };
  }
  const [, y, mo, d, h, mi, s] = dateMatch;
  const signingDate = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  const now = (expected.now ?? Date.now)();
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_IN_MS) {
    return { ok: false, status: 403, message: `Signature expired: ${amzDate} is outside the allowed clock skew of 5 minutes.` };
  }
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== bodyHash) {
    return { ok: false, status: 403, message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, status: 403, message: `Signed header ${name} is missing from the request.` };
    headers[name] = value;
  }
  const [pathOnly, query = ''] = request.path.split('?');
  const resigned = await signerFor(expected.credentials, region, service).sign(
    new HttpRequest({ method: request.method, protocol: 'https:', hostname: headers.host, path: pathOnly, query: parseQuery(query), headers, body: request.body }),
    // Let SignedHeaders decide, even for headers smithy would normally skip (user-agent).
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1] ?? '';
  const expectedHeaders = /SignedHeaders=([^,]+)/.exec(String(resigned.headers.authorization))?.[1];
  const same =
    expectedHeaders === signedHeaderList &&
    expectedSignature.length === signature.length &&
    timingSafeEqual(Buffer.from(expectedSignature, 'utf8'), Buffer.from(signature, 'utf8'));
  return same
    ? { ok: true, accessKeyId }
    : {
        ok: false,
        status: 403,
        message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
}

function parseQuery(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const existing = result[key];
    result[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return result;
}
