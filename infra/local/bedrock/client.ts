/** The local twin's stand-in credentials: the twin requires a signature but never checks it. */
export const TWIN_CREDENTIALS = { accessKeyId: 'sluice-local', secretAccessKey: 'sluice-local' } as const;

/**
 * Configuration for a `BedrockRuntimeClient` that talks to the twin. Nothing special is
 * needed for HTTP/2 cleartext: the SDK's default NodeHttp2Handler speaks h2c to an
 * `http://` endpoint. Unmodified code can instead set `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
 * @example
 * const client = new BedrockRuntimeClient(bedrockClientConfig(twin.endpoint));
 */
export function bedrockClientConfig(endpoint: string, region = 'us-east-1'): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region, credentials: { ...TWIN_CREDENTIALS } };
}
