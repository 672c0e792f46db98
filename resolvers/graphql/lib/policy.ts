import { MODELS, type ModelConfig } from '../../../functions/shared/config.js';

// The config's list is readonly; the AppSync linter only knows Array's methods by name.
const ALL_MODELS = MODELS as ModelConfig[];

/**
 * The configured model with this id, or undefined. Whether the caller may use it is the
 * gateway API's to decide (admission and `models`), because an admin's per-user override
 * can change it at run time.
 *
 * @example
 * ```ts
 * findModel('sluice.simulator')?.maxOutputTokens; // 8192
 * ```
 */
export function findModel(modelId: string): ModelConfig | undefined {
  return ALL_MODELS.find((m) => m.id === modelId);
}
