import type { ConverseStreamCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { StopReason, StreamUsage } from '../../schema/stream-protocol.js';
import { classifyBedrockError, type ClassifiedModelError } from './bedrock-errors.js';

/** How the model's answer ended, as read from its stream. */
export interface StreamedAnswer {
  stopReason?: StopReason;
  /** Bedrock's metadata; absent when the stream ended early (a cancel, an error). */
  usage?: StreamUsage;
  /** When the first text arrived (`Date.now()`). */
  firstTokenAt?: number;
  /** Text deltas received. */
  deltas: number;
  /** Why the model call failed; never set for a cancelled turn. */
  failure?: ClassifiedModelError;
  /**
   * Whether Bedrock took the request (answered with a stream): a refused call (throttled,
   * unavailable, invalid) processed nothing, and AWS bills nothing for it.
   */
  modelAnswered: boolean;
}

/**
 * Hands the model's answer to `sink`, delta by delta, until it ends, fails or is cancelled.
 * Never throws: a failure is classified into the result.
 */
export async function streamAnswer(
  modelCall: Promise<ConverseStreamCommandOutput>,
  sink: { delta(text: string): void },
  cancel: { readonly cancelled: boolean },
): Promise<StreamedAnswer> {
  let stopReason: StopReason | undefined;
  let usage: StreamUsage | undefined;
  let firstTokenAt: number | undefined;
  let deltas = 0;
  let failure: ClassifiedModelError | undefined;
  let modelAnswered = false;
  try {
    if (cancel.cancelled) throw new CancelledBeforeClaim();
    const response = await modelCall;
    modelAnswered = true;
    for await (const item of response.stream ?? []) {
      const text = item.contentBlockDelta?.delta?.text;
      if (text) {
        firstTokenAt ??= Date.now();
        deltas++;
        sink.delta(text);
      }
      if (item.messageStop?.stopReason) stopReason = item.messageStop.stopReason as StopReason;
      if (item.metadata?.usage) {
        const u = item.metadata.usage;
        usage = {
          inputTokens: u.inputTokens ?? 0,
          outputTokens: u.outputTokens ?? 0,
          cacheReadInputTokens: u.cacheReadInputTokens ?? 0,
          cacheWriteInputTokens: u.cacheWriteInputTokens ?? 0,
        };
      }
      if (cancel.cancelled) break;
    }
  } catch (error) {
    if (!cancel.cancelled) failure = classifyBedrockError(error);
  }
  return { stopReason, usage, firstTokenAt, deltas, failure, modelAnswered };
}

/** A cancel that arrived before the claim: the model is never called. */
class CancelledBeforeClaim extends Error {}
