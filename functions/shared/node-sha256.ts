/**
 * SHA-256 and HMAC-SHA-256 for `@smithy/signature-v4`, on Node's native crypto.
 *
 * SigV4 hashes the body, the canonical request and four HMACs per signature. The pure-JS
 * `@aws-crypto/sha256-js` does that in JavaScript on the event loop; OpenSSL does it in a
 * fraction of the time, and every streamed publish is signed (and, on the twin, verified).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

function toBytes(data: SourceData): Uint8Array | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * A `Checksum` constructor as SignatureV4's `sha256` option takes it: a hash without a
 * secret, an HMAC with one.
 * @example
 * const signer = new SignatureV4({ service: 'appsync', region, credentials, sha256: NodeSha256 });
 */
export class NodeSha256 implements Checksum {
  readonly #secret: Uint8Array | string | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : toBytes(secret);
    this.#hash = this.#fresh();
  }

  update(data: Uint8Array | string): void {
    this.#hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}
