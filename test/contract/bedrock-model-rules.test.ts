// The twin's Bedrock, as `npm start` runs it (startSideServices), refuses the model ids AWS
// refuses in the twin's Region, with AWS's error and message, and CountTokens answers only
// where AWS's does; a cancelled or failed turn is then billed with the fallback estimate.
import { BedrockRuntimeClient, ConverseCommand, CountTokensCommand, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateTokens, producedUsage } from '../../functions/chat-stream/produced-usage.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { bedrockClientConfig } from '../../infra/local/bedrock/client.js';
import { countTokens } from '../../infra/local/bedrock/tokenizer.js';
import { startSideServices } from '../../infra/local/components.js';

const SONNET_37 = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
const hello = { messages: [{ role: 'user' as const, content: [{ text: 'Say hello in three words.' }] }] };

let services: Awaited<ReturnType<typeof startSideServices>>;
let bedrock: BedrockRuntimeClient;

beforeAll(async () => {
  services = await startSideServices({ bedrockSpeed: Infinity });
  bedrock = new BedrockRuntimeClient({ ...bedrockClientConfig(services.bedrockEndpoint), maxAttempts: 1 });
});

afterAll(async () => {
  bedrock.destroy();
  await services.close();
});

describe('model ids on the twin\'s Bedrock', () => {
  it('refuses a profile-only model\'s bare id with AWS\'s ValidationException and message', async () => {
    // Act
    const call = bedrock.send(new ConverseCommand({ modelId: SONNET_37, ...hello }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(ValidationException);
    await expect(call).rejects.toThrow(
      `Invocation of model ID ${SONNET_37} with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
    );
  });

  it('serves the same model through its us. inference profile', async () => {
    // Act
    const answer = await bedrock.send(new ConverseCommand({ modelId: `us.${SONNET_37}`, ...hello }));

    // Assess
    expect(answer.output?.message?.content?.[0]?.text).toMatch(/\S/);
  });

  it('refuses a model the Region does not offer (Mistral Large is us-west-2 only) as an invalid identifier', async () => {
    // Act
    const call = bedrock.send(new ConverseCommand({ modelId: 'mistral.mistral-large-2407-v1:0', ...hello }));

    // Assess
    await expect(call).rejects.toThrow('The provided model identifier is invalid.');
  });

  it('keeps the simulator on demand, exactly as before', async () => {
    // Act
    const answer = await bedrock.send(new ConverseCommand({ modelId: SIMULATOR_MODEL_ID, ...hello }));

    // Assess
    expect(answer.stopReason).toBeDefined();
  });
});

describe('CountTokens on the twin\'s Bedrock', () => {
  it('counts for the simulator', async () => {
    // Act
    const counted = await bedrock.send(new CountTokensCommand({ modelId: SIMULATOR_MODEL_ID, input: { converse: hello } }));

    // Assess
    expect(counted.inputTokens).toBeGreaterThan(0);
  });

  it.each([`us.${SONNET_37}`, 'amazon.nova-micro-v1:0'])('refuses %s, as AWS does', async (modelId) => {
    // Act
    const call = bedrock.send(new CountTokensCommand({ modelId, input: { converse: hello } }));

    // Assess
    await expect(call).rejects.toBeInstanceOf(ValidationException);
    await expect(call).rejects.toThrow("The provided model doesn't support counting tokens.");
  });

  it('bills a turn without usage on a model CountTokens refuses with the character estimate', async () => {
    // Prepare
    const streamedText = 'Hello there, friend. Here is the start of an answer that was cancelled';
    const turn = { messages: hello.messages, streamedText, deltas: 5 };

    // Act
    const estimated = await producedUsage(bedrock, { ...turn, modelId: `us.${SONNET_37}` });
    const counted = await producedUsage(bedrock, { ...turn, modelId: SIMULATOR_MODEL_ID });

    // Assess
    expect(estimated).toEqual({ inputTokens: estimateTokens('Say hello in three words.'), outputTokens: estimateTokens(streamedText) });
    expect(counted.outputTokens).not.toBe(estimated.outputTokens);
    expect(counted.outputTokens).toBeGreaterThanOrEqual(countTokens(streamedText));
  });
});
