/**
 * Types shared by the Bedrock Runtime twin, its simulator and the tests that predict its
 * answers. Request types are structural subsets of the SDK's `ConverseCommandInput`, so a
 * test can pass the very object it sends with `ConverseCommand` to `simulate()`.
 */

/** How fast a simulated model answers. */
export interface SimulatorPace {
  /** Delay before the first text delta. @default 300 */
  timeToFirstTokenMs: number;
  /** Output speed after the first token. @default 80 */
  tokensPerSecond: number;
}

/** One model the twin serves: its pace and its limits (prices live in the gateway's model table). */
export interface SimulatedModel extends Partial<SimulatorPace> {
  /** Largest `inferenceConfig.maxTokens` accepted. @default 8192 */
  maxOutputTokens?: number;
  /** Largest prompt (system + messages) in tokens. @default 200000 */
  contextWindowTokens?: number;
}

/** A content block as the simulator reads it (text, tool traffic and cache points; others count as no tokens). */
export interface ConverseContentBlock {
  text?: string;
  cachePoint?: { type?: string };
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  toolResult?: { toolUseId?: string; content?: { text?: string; json?: unknown }[] };
}

/** One conversation turn. */
export interface ConverseMessage {
  role?: string;
  content?: ConverseContentBlock[];
}

/** Inference parameters the twin validates and the simulator honours. */
export interface ConverseInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/** The parts of a Converse / ConverseStream request the twin reads. */
export interface ConverseInput {
  modelId?: string;
  messages?: ConverseMessage[];
  system?: ConverseContentBlock[];
  inferenceConfig?: ConverseInferenceConfig;
  /** The simulator reads `seed` (number or string) from here; real Claude rejects unknown fields, so send it only to the twin. */
  additionalModelRequestFields?: unknown;
}

/** Stop reasons the simulator produces (a subset of Bedrock's `StopReason`). */
export const STOP_REASON = {
  END_TURN: 'end_turn',
  MAX_TOKENS: 'max_tokens',
  STOP_SEQUENCE: 'stop_sequence',
  GUARDRAIL_INTERVENED: 'guardrail_intervened',
} as const;
export type SimulatedStopReason = (typeof STOP_REASON)[keyof typeof STOP_REASON];

/** Token usage exactly as Bedrock reports it in `metadata.usage` / `usage`. */
export interface SimulatedUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Present only when the request has a `cachePoint`. */
  cacheReadInputTokens?: number;
  /** Present only when the request has a `cachePoint`. */
  cacheWriteInputTokens?: number;
}

/** Errors Bedrock Runtime returns, by their wire name (`x-amzn-ErrorType`, SDK `error.name`). */
export const BEDROCK_ERROR = {
  VALIDATION: 'ValidationException',
  THROTTLING: 'ThrottlingException',
  SERVICE_UNAVAILABLE: 'ServiceUnavailableException',
  MODEL_STREAM_ERROR: 'ModelStreamErrorException',
  MODEL_ERROR: 'ModelErrorException',
  INTERNAL_SERVER: 'InternalServerException',
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  UNKNOWN_OPERATION: 'UnknownOperationException',
} as const;
export type BedrockErrorName = (typeof BEDROCK_ERROR)[keyof typeof BEDROCK_ERROR];

/** A refusal of the whole request (an HTTP error response, before any stream). */
export interface SimulatedRejection {
  error: BedrockErrorName;
  message: string;
}

/** A stream that breaks with an exception event after some text. */
export interface SimulatedInterruption {
  /** Tokens delivered before the exception (also `tokens.length` of the simulation). */
  afterTokens: number;
  error: BedrockErrorName;
  message: string;
}

/** What the simulator answers to one request (one attempt). */
export interface Simulation {
  /** Resolved model id (an ARN is reduced to its id). */
  modelId: string;
  /** Everything the stream delivers: `tokens.join('')`, also `chunks.join('')`. */
  text: string;
  /** Token pieces per the twin's tokenizer; `usage.outputTokens === tokens.length`. */
  tokens: string[];
  /** The `contentBlockDelta` texts in order: one to three tokens each. */
  chunks: string[];
  stopReason: SimulatedStopReason;
  usage: SimulatedUsage;
  /** Effective pace: the model's, overridden by `[[sim:slow-start]]` / `[[sim:tps]]`. */
  pace: SimulatorPace;
  /** Set when this attempt is refused outright (text is then empty). */
  rejection?: SimulatedRejection;
  /** Set when the stream breaks after `afterTokens` tokens (no messageStop or metadata follow). */
  interruption?: SimulatedInterruption;
  /** Identifies the prompt for per-prompt attempt counting (model, prompt text, seed). */
  promptKey: string;
  /** Identifies the cacheable prefix when the request has a `cachePoint`. */
  cacheKey?: string;
}

/**
 * When the twin received one simulated ConverseStream and when it sent that stream's first
 * text, for callers that measure what happens around the model (the bench). Times are
 * from the twin's clock (`performance.now()` unless a test injects another).
 */
export interface ConverseStreamTiming {
  /** The last user message's text: the prompt a caller sent, so it can tell its requests apart. */
  prompt: string;
  /** The request arrived (its headers); the time to first token counts from here. */
  receivedAt: number;
  /** The first `contentBlockDelta` frame was handed to the HTTP/2 stream. */
  firstDeltaSentAt: number;
  /** How long the simulator was told to wait for the first token, after `speed`. */
  timeToFirstTokenMs: number;
}
