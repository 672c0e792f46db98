import { describe, expect, it } from 'vitest';
import { parseConverseBody } from '../../infra/local/bedrock/validation.js';

const USER = { role: 'user', content: [{ text: 'hi' }] };
const ASSISTANT = { role: 'assistant', content: [{ text: 'hello' }] };

describe('parseConverseBody', () => {
  it('accepts a well-formed body and adds the model id from the path', () => {
    // Prepare
    const body = { messages: [USER, ASSISTANT, USER], system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 10, temperature: 0.5, topP: 1 } };

    // Act
    const input = parseConverseBody(body, 'us.amazon.nova-lite-v1:0');

    // Assess
    expect(input).toEqual({ ...body, modelId: 'us.amazon.nova-lite-v1:0' });
  });

  it.each([
    ['a body that is not an object', [], 'must be a JSON object'],
    ['no messages', {}, 'must start with a user message'],
    ['empty messages', { messages: [] }, 'must start with a user message'],
    ['an assistant first', { messages: [ASSISTANT] }, 'must start with a user message'],
    ['two user turns in a row', { messages: [USER, USER] }, 'must alternate between user and assistant'],
    ['an unknown role', { messages: [{ role: 'system', content: [{ text: 'x' }] }] }, "at 'messages.0.member.role'"],
    ['empty content', { messages: [{ role: 'user', content: [] }] }, 'at messages.0 is empty'],
    ['blank text', { messages: [{ role: 'user', content: [{ text: '  ' }] }] }, 'messages.0.content.0 is blank'],
    ['an empty block', { messages: [{ role: 'user', content: [{}] }] }, 'messages.0.content.0 is empty'],
    ['maxTokens 0', { messages: [USER], inferenceConfig: { maxTokens: 0 } }, "Value '0' at 'inferenceConfig.maxTokens'"],
    ['a fractional maxTokens', { messages: [USER], inferenceConfig: { maxTokens: 1.5 } }, 'inferenceConfig.maxTokens'],
    ['temperature above 1', { messages: [USER], inferenceConfig: { temperature: 1.5 } }, 'less than or equal to 1'],
    ['negative topP', { messages: [USER], inferenceConfig: { topP: -0.1 } }, 'greater than or equal to 0'],
    ['stop sequences that are not strings', { messages: [USER], inferenceConfig: { stopSequences: [1] } }, 'stopSequences'],
    ['a system that is not a list', { messages: [USER], system: 'Be brief.' }, "at 'system'"],
  ])('rejects %s with a ValidationException that says what to fix', (_case, body, message) => {
    // Act
    const parse = () => parseConverseBody(body, 'm');

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'ValidationException', message: expect.stringContaining(message) }));
  });
});
