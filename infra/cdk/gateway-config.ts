/**
 * What the cloud stack takes from the model catalogue (schema/models.ts) and the policies
 * (functions/shared/config.ts):
 * the Bedrock model ids to grant and the Cognito groups that have a policy.
 *
 * @example
 * ```ts
 * const { modelIds, groups } = gatewayConfig();
 * ```
 */
import { resolve } from 'node:path';
import { GROUP_POLICIES } from '../../functions/shared/config.js';
import { MODELS, SIMULATOR_MODEL_ID } from '../../schema/models.js';

/** Root of the repository (infra/cdk/ is two levels down); the manifest's paths start here. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface GatewayConfig {
  /** Bedrock model and inference-profile ids (the twin's simulator is not one). */
  modelIds: string[];
  /** Cognito groups the policy config names. */
  groups: string[];
}

/** Reads the model catalogue and the group policies. */
export function gatewayConfig(): GatewayConfig {
  return {
    modelIds: MODELS.map((m) => m.id).filter((id) => id !== SIMULATOR_MODEL_ID),
    groups: Object.keys(GROUP_POLICIES),
  };
}
