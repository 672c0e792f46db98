import { classifyFailure } from '../shared/failure.js';
import { ErrorCode } from '../../schema/stream-protocol.js';

export interface ClassifiedModelError {
  code: ErrorCode;
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
      return { code: ErrorCode.THROTTLED, message: `The model is busy; try again shortly. (${message})`, retryable: true };
    case 'ServiceUnavailableException':
    case 'ModelNotReadyException':
      return { code: ErrorCode.MODEL_UNAVAILABLE, message: `The model is unavailable right now. (${message})`, retryable: true };
    case 'ModelStreamErrorException':
    case 'ModelErrorException':
    case 'InternalServerException':
      return { code: ErrorCode.MODEL_ERROR, message: `The model failed mid-answer. (${message})`, retryable: true };
    case 'ValidationException':
      return { code: ErrorCode.VALIDATION, message, retryable: false };
    default: {
      // Not a Bedrock error: the network (a dependency) or a bug of ours, never the caller's.
      const failure = classifyFailure(error);
      return { code: failure.code, message: failure.message, retryable: failure.retryable };
    }
  }
}
