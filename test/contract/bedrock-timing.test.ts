import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, type ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { bedrockClientConfig } from '../../infra/local/bedrock/client.js';
import { startBedrockTwin, type BedrockTwin, type BedrockTwinOptions } from '../../infra/local/bedrock/server.js';
import { simulate } from '../../infra/local/bedrock/simulator.js';
import type { ConverseStreamTiming } from '../../infra/local/bedrock/types.js';

const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

let twin: BedrockTwin | undefined;
let client: BedrockRuntimeClient | undefined;

afterEach(async () => {
  client?.destroy();
  await twin?.close();
});

/** A twin on a fake clock that sleeping advances, so reported times are exact. */
async function startTimedTwin(options: Pick<BedrockTwinOptions, 'onConverseStream' | 'log'>): Promise<BedrockRuntimeClient> {
  let now = 1_000;
  twin = await startBedrockTwin({
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    ...options,
  });
  client = new BedrockRuntimeClient({ ...bedrockClientConfig(twin.endpoint), maxAttempts: 1 });
  return client;
}

function request(text: string): ConverseStreamCommandInput {
  return { modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text }] }] };
}

async function streamedText(client: BedrockRuntimeClient, input: ConverseStreamCommandInput): Promise<string> {
  let text = '';
  for await (const event of (await client.send(new ConverseStreamCommand(input))).stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
  return text;
}

describe('Bedrock twin ConverseStream timing', () => {
  it('tells an observer when each stream arrived and when its first token left', async () => {
    // Prepare
    const timings: ConverseStreamTiming[] = [];
    const client = await startTimedTwin({ onConverseStream: (timing) => timings.push(timing) });
    const prompt = 'Time me [[sim:slow-start=250]] [[sim:tokens=5]]';

    // Act
    await streamedText(client, request(prompt));
    await client.send(new ConverseCommand(request('Not a stream [[sim:tokens=5]]')));

    // Assess: one report, for the stream only, its first token exactly the configured wait after arrival.
    expect(timings).toHaveLength(1);
    expect(timings[0]).toMatchObject({ prompt, timeToFirstTokenMs: 250 });
    expect(timings[0].firstDeltaSentAt - timings[0].receivedAt).toBe(250);
  });

  it('still answers in full when the observer throws', async () => {
    // Prepare
    const errors: unknown[] = [];
    const client = await startTimedTwin({
      onConverseStream: () => {
        throw new Error('observer bug');
      },
      log: { error: (...args: unknown[]) => errors.push(args) },
    });
    const input = request('Keep going [[sim:tokens=30]]');

    // Act
    const text = await streamedText(client, input);

    // Assess
    expect(text).toBe(simulate(input).text);
    expect(errors).toHaveLength(1);
  });
});
