/**
 * Model lookup for input validation, in the APPSYNC_JS subset (no regex literals, no
 * try/throw, no while) because the GraphQL resolvers bundle it as well as the Lambda
 * functions. Which models a caller may use is admission's decision
 * (functions/gateway-api/admission.ts), from the effective policy.
 */
import { MODELS, type ModelConfig } from './config.js';

// The config's list is readonly; the AppSync linter only knows Array's methods by name.
const ALL_MODELS = MODELS as ModelConfig[];

/**
 * The model with this id, or undefined.
 *
 * @example
 * ```ts
 * findModel('sluice.simulator')?.maxOutputTokens; // 8192
 * ```
 */
export function findModel(modelId: string): ModelConfig | undefined {
  return ALL_MODELS.find((m) => m.id === modelId);
}
