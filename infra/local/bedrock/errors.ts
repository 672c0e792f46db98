import { BEDROCK_ERROR, type BedrockErrorName } from './types.js';

/** HTTP status Bedrock Runtime answers each error with. */
export const ERROR_STATUS: Readonly<Record<BedrockErrorName, number>> = {
  [BEDROCK_ERROR.VALIDATION]: 400,
  [BEDROCK_ERROR.THROTTLING]: 429,
  [BEDROCK_ERROR.SERVICE_UNAVAILABLE]: 503,
  [BEDROCK_ERROR.MODEL_STREAM_ERROR]: 424,
  [BEDROCK_ERROR.MODEL_ERROR]: 424,
  [BEDROCK_ERROR.INTERNAL_SERVER]: 500,
  [BEDROCK_ERROR.ACCESS_DENIED]: 403,
  [BEDROCK_ERROR.MISSING_AUTHENTICATION_TOKEN]: 403,
  [BEDROCK_ERROR.UNKNOWN_OPERATION]: 404,
};

// AWS's restJson1 services qualify the type with a namespace; the SDK strips it.
const ERROR_TYPE_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.bedrock/';

/**
 * A Bedrock Runtime error on its way to the wire, as an HTTP response or as an exception
 * event in a stream. `name` is the wire name, which the SDK turns into its typed error.
 * @example
 * throw new BedrockTwinError('ValidationException', 'The provided model identifier is invalid.');
 */
export class BedrockTwinError extends Error {
  override readonly name: BedrockErrorName;

  constructor(name: BedrockErrorName, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }

  /** HTTP status of the error response. */
  get status(): number {
    return ERROR_STATUS[this.name];
  }

  /** Headers of the error response (HTTP/2 wants them lower-case). */
  get headers(): Record<string, string> {
    return { 'content-type': 'application/json', 'x-amzn-errortype': `${this.name}:${ERROR_TYPE_NAMESPACE}` };
  }

  /** The `:exception-type` of the same error inside an event stream, e.g. `throttlingException`. */
  get eventType(): string {
    return this.name.charAt(0).toLowerCase() + this.name.slice(1);
  }

  /** The body, in both the HTTP response and the exception event. */
  toJSON(): { message: string } {
    return { message: this.message };
  }
}
