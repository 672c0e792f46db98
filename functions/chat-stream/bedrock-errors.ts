import { StreamErrorCode } from '../shared/protocol.js';

export interface ClassifiedModelError {
  code: StreamErrorCode;
  message: string;
  retryable: boolean;
}

/** Maps a Bedrock Runtime error (thrown or from the event stream) to a stream `error` event. */
export function classifyBedrockError(error: unknown): ClassifiedModelError {
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as Error)?.message ?? String(error);
  switch (name) {
    case 'ThrottlingException':
    case 'TooManyRequestsException':
      return { code: StreamErrorCode.THROTTLED, message: `The model is busy; try again shortly. (${message})`, retryable: true };
    case 'ServiceUnavailableException':
    case 'ModelNotReadyException':
      return { code: StreamErrorCode.MODEL_UNAVAILABLE, message: `The model is unavailable right now. (${message})`, retryable: true };
    case 'ModelStreamErrorException':
    case 'ModelErrorException':
    case 'InternalServerException':
      return { code: StreamErrorCode.MODEL_ERROR, message: `The model failed mid-answer. (${message})`, retryable: true };
    case 'ValidationException':
      return { code: StreamErrorCode.VALIDATION, message, retryable: false };
    default:
      return { code: StreamErrorCode.INTERNAL, message, retryable: false };
  }
}
