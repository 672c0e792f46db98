/**
 * What the twin and an execution environment (bootstrap.ts, in its own process) say to
 * each other over the IPC channel. Payloads cross as JSON text, as they do on Lambda: the
 * twin measures that text against Lambda's payload quotas, so each side serializes once.
 */

/** The part of the Lambda context object that is fixed for one invocation. */
export interface InvocationContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  deadlineMs: number;
}

/** A function error as the Lambda runtime reports it. */
export interface ErrorPayload {
  errorType: string;
  errorMessage: string;
}

export type TwinToEnvironment =
  | { type: 'invoke'; eventJson: string; context: InvocationContext }
  /** The function URL's client hung up: the streaming handler's response stream is destroyed. */
  | { type: 'stream-abort'; requestId: string };

export type EnvironmentToTwin =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: ErrorPayload }
  | { type: 'log'; text: string }
  /** A streaming handler's response: its content type, then its bytes as written (base64). */
  | { type: 'stream-content-type'; requestId: string; contentType: string }
  | { type: 'stream-chunk'; requestId: string; base64: string }
  | { type: 'result'; requestId: string; payloadJson: string; maxMemoryUsedMb: number }
  | { type: 'error'; requestId: string; error: ErrorPayload; maxMemoryUsedMb: number; fatal: boolean };
