import { BedrockTwinError } from './errors.js';
import { BEDROCK_ERROR, type ConverseInput } from './types.js';

// Error messages quote the offending value; a huge one would drown the message.
const MAX_ECHOED_VALUE_IN_CHARS = 100;

/**
 * Checks a Converse / ConverseStream body the way Bedrock does before any model runs, and
 * narrows it. Messages follow Bedrock's wording so a developer sees the same text locally
 * as in the cloud. Model-specific limits (`maxTokens`, context window) are the simulator's.
 * @throws BedrockTwinError ValidationException naming the first offending field
 * @example
 * const input = parseConverseBody(JSON.parse(body), decodeURIComponent(encodedModelId));
 */
export function parseConverseBody(body: unknown, modelId: string): ConverseInput {
  if (!isRecord(body)) throw invalid('The request body must be a JSON object.');
  const { messages, system, inferenceConfig } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  messages.forEach((message, index) => checkMessage(message, index, index === 0 ? undefined : messages[index - 1]));
  if (system !== undefined) {
    if (!Array.isArray(system)) throw constraint('system', system, 'Member must be a list');
    system.forEach((block, index) => checkBlock(block, `system.${index}`));
  }
  if (inferenceConfig !== undefined) checkInferenceConfig(inferenceConfig);
  return { ...(body as ConverseInput), modelId };
}

function checkMessage(message: unknown, index: number, previous: unknown): void {
  if (!isRecord(message)) throw constraint(`messages.${index}`, message, 'Member must be an object');
  if (message.role !== 'user' && message.role !== 'assistant') {
    throw constraint(`messages.${index}.member.role`, message.role, 'Member must satisfy enum value set: [user, assistant]');
  }
  if (index === 0 && message.role !== 'user') {
    throw invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  }
  if (isRecord(previous) && previous.role === message.role) {
    throw invalid(
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    );
  }
  if (!Array.isArray(message.content) || message.content.length === 0) {
    throw invalid(`The content field in the Message object at messages.${index} is empty. Add a ContentBlock object to the content field and try again.`);
  }
  message.content.forEach((block, blockIndex) => checkBlock(block, `messages.${index}.content.${blockIndex}`));
}

function checkBlock(block: unknown, path: string): void {
  if (!isRecord(block) || Object.keys(block).length === 0) throw invalid(`The ContentBlock object at ${path} is empty. Add one content member and try again.`);
  if ('text' in block && (typeof block.text !== 'string' || block.text.trim() === '')) {
    throw invalid(`The text field in the ContentBlock object at ${path} is blank. Add text to the text field, and try again.`);
  }
}

function checkInferenceConfig(config: unknown): void {
  if (!isRecord(config)) throw constraint('inferenceConfig', config, 'Member must be an object');
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    throw constraint('inferenceConfig.maxTokens', maxTokens, 'Member must have value greater than or equal to 1');
  }
  for (const [name, value] of [['temperature', temperature], ['topP', topP]] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || value < 0) throw constraint(`inferenceConfig.${name}`, value, 'Member must have value greater than or equal to 0');
    if (value > 1) throw constraint(`inferenceConfig.${name}`, value, 'Member must have value less than or equal to 1');
  }
  if (stopSequences !== undefined && (!Array.isArray(stopSequences) || stopSequences.some((s) => typeof s !== 'string'))) {
    throw constraint('inferenceConfig.stopSequences', stopSequences, 'Member must be a list of strings');
  }
}

function constraint(path: string, value: unknown, rule: string): BedrockTwinError {
  const shown = (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null')).slice(0, MAX_ECHOED_VALUE_IN_CHARS);
  return invalid(`1 validation error detected: Value '${shown}' at '${path}' failed to satisfy constraint: ${rule}`);
}

function invalid(message: string): BedrockTwinError {
  return new BedrockTwinError(BEDROCK_ERROR.VALIDATION, message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
