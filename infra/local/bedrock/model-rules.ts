/**
 * Which model ids the twin's Bedrock serves, when the host gives it rules (the twin gives it
 * Sluice's model catalogue, read for the twin's Region): an id AWS would refuse is refused
 * with AWS's error and message, so a gateway that works on the twin calls the ids AWS takes.
 */
import { BedrockTwinError } from './errors.js';
import { BEDROCK_ERROR } from './types.js';

/** What Bedrock answers for a model id, per the host's catalogue; undefined when the catalogue has no rule for it (served). */
export interface ModelRules {
  verdict(modelId: string): 'serves' | 'needsProfile' | 'notOffered' | undefined;
  /** Whether CountTokens answers for this id. */
  countsTokens(modelId: string): boolean;
}

/**
 * The error Bedrock answers `operation` on `modelId` with, or undefined when it serves it.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-use.html
 */
export function modelRuleRefusal(modelId: string, operation: 'converse' | 'converse-stream' | 'count-tokens', rules: ModelRules): BedrockTwinError | undefined {
  if (operation === 'count-tokens') {
    return rules.countsTokens(modelId) ? undefined : new BedrockTwinError(BEDROCK_ERROR.VALIDATION, "The provided model doesn't support counting tokens.");
  }
  switch (rules.verdict(modelId)) {
    case 'needsProfile':
      // AWS's wording, typographic apostrophe included.
      return new BedrockTwinError(
        BEDROCK_ERROR.VALIDATION,
        `Invocation of model ID ${modelId} with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
      );
    case 'notOffered':
      return new BedrockTwinError(BEDROCK_ERROR.VALIDATION, 'The provided model identifier is invalid.');
    default:
      return undefined;
  }
}
