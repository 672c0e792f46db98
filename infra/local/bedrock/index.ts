export { bedrockClientConfig, TWIN_CREDENTIALS } from './client.js';
export { BedrockTwinError } from './errors.js';
export { DEFAULT_MODELS, DEFAULT_PACE, resolveModel } from './models.js';
export { startBedrockTwin, type BedrockTwin, type BedrockTwinOptions } from './server.js';
export { GUARDRAIL_MESSAGE, promptKeyOf, simulate, type SimulateOptions } from './simulator.js';
export { countTokens, tokenize } from './tokenizer.js';
export * from './types.js';
export { modelRuleRefusal, type ModelRules } from './model-rules.js';
