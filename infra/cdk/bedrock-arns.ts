/**
 * IAM resource ARNs for the Bedrock models Sluice is configured to serve, so the
 * streaming function may call those models and nothing else.
 *
 * @example
 * ```ts
 * bedrockModelArns(['anthropic.claude-3-5-haiku-20241022-v1:0'], { region: 'us-east-1', account: '123456789012', partition: 'aws' });
 * ```
 */
import { MODELS, type ModelConfig } from '../../schema/models.js';
import { invocationArns, modelInvocation, type ArnScope } from '../../functions/shared/model-invocation.js';

/** The Region model rules are read for when the stack's own is unknown at synth; `cdk deploy` sets CDK_DEFAULT_REGION. */
export const SYNTH_FALLBACK_REGION = 'us-east-1';

/**
 * Geographic prefixes of system-defined cross-region inference profile ids (`us.anthropic...`).
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 */
export const INFERENCE_PROFILE_PREFIXES = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'] as const;

export type { ArnScope };

/** The foundation model id behind an id that may carry an inference-profile prefix. */
export function foundationModelId(modelId: string): string {
  const dot = modelId.indexOf('.');
  const prefix = modelId.slice(0, dot);
  return dot > 0 && (INFERENCE_PROFILE_PREFIXES as readonly string[]).includes(prefix) ? modelId.slice(dot + 1) : modelId;
}

/**
 * ARNs to allow `bedrock:InvokeModelWithResponseStream` (and `bedrock:CountTokens`) on, for
 * each configured model, exactly as the gateway calls it from the scope's Region:
 * - a catalogue model (schema/models.ts): what its invocation rule needs there
 *   ({@link invocationArns}): the foundation model where it runs on demand, else the one
 *   inference profile the gateway calls and the foundation model in the Regions it routes to;
 * - another id (the `sluice:bedrockModels` override): the id as given, a profile id with its
 *   foundation model in every Region (the catalogue cannot say where it routes).
 * A catalogue model Bedrock does not offer in the Region gets no grant (the gateway cannot
 * call it there); {@link unavailableModelIds} lists those.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
 */
export function bedrockModelArns(modelIds: readonly string[], scope: ArnScope, models: readonly ModelConfig[] = MODELS): string[] {
  const arns = new Set<string>();
  for (const modelId of modelIds) {
    const model = models.find((m) => m.id === modelId);
    if (model) {
      if (modelInvocation(model, scope.region)) for (const arn of invocationArns(model, scope)) arns.add(arn);
      continue;
    }
    const base = foundationModelId(modelId);
    if (base === modelId) {
      arns.add(`arn:${scope.partition}:bedrock:${scope.region}::foundation-model/${base}`);
    } else {
      arns.add(`arn:${scope.partition}:bedrock:${scope.region}:${scope.account}:inference-profile/${modelId}`);
      arns.add(`arn:${scope.partition}:bedrock:*::foundation-model/${base}`);
    }
  }
  return [...arns];
}

/** The catalogue models among `modelIds` that Bedrock does not offer in `region` at all. */
export function unavailableModelIds(modelIds: readonly string[], region: string, models: readonly ModelConfig[] = MODELS): string[] {
  return modelIds.filter((id) => {
    const model = models.find((m) => m.id === id);
    return model !== undefined && modelInvocation(model, region) === undefined;
  });
}
