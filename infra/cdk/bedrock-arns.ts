/**
 * IAM resource ARNs for the Bedrock models Sluice is configured to serve, so the
 * streaming function may call those models and nothing else.
 *
 * @example
 * ```ts
 * bedrockModelArns(['anthropic.claude-3-5-haiku-20241022-v1:0'], { region: 'us-east-1', account: '123456789012', partition: 'aws' });
 * ```
 */

/**
 * Geographic prefixes of system-defined cross-region inference profile ids (`us.anthropic...`).
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 */
export const INFERENCE_PROFILE_PREFIXES = ['us', 'us-gov', 'eu', 'apac', 'jp', 'au', 'ca', 'global'] as const;

export interface ArnScope {
  region: string;
  account: string;
  partition: string;
}

/** The foundation model id behind an id that may carry an inference-profile prefix. */
export function foundationModelId(modelId: string): string {
  const dot = modelId.indexOf('.');
  const prefix = modelId.slice(0, dot);
  return dot > 0 && (INFERENCE_PROFILE_PREFIXES as readonly string[]).includes(prefix) ? modelId.slice(dot + 1) : modelId;
}

/**
 * ARNs to allow `bedrock:InvokeModelWithResponseStream` on, for each configured model:
 * - the inference profiles of exactly that model (`inference-profile/*.<model>`), because
 *   the policy config admits a model's `us.`/`eu.`/`global.` profiles too and newer models
 *   are served only through them;
 * - the foundation model in every region, because a cross-region profile routes the request
 *   to another region and Bedrock checks the foundation-model ARN there.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
 */
export function bedrockModelArns(modelIds: readonly string[], scope: ArnScope): string[] {
  const arns = new Set<string>();
  for (const modelId of modelIds) {
    const base = foundationModelId(modelId);
    arns.add(`arn:${scope.partition}:bedrock:*::foundation-model/${base}`);
    arns.add(`arn:${scope.partition}:bedrock:${scope.region}:${scope.account}:inference-profile/*.${base}`);
  }
  return [...arns];
}
