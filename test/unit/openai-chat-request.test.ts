import { describe, expect, it } from 'vitest';
import { parseChatRequest } from '../../functions/openai-api/chat-request.js';

const ok = (body: unknown) => {
  const parsed = parseChatRequest(body);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.turn;
};

describe('an OpenAI chat completions body as a Sluice turn', () => {
  it('maps system and developer messages to the system prompt and the rest to history plus the last user prompt', () => {
    const turn = ok({
      model: 'sluice.simulator',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: [{ type: 'text', text: 'there' }] },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Rivers?' },
      ],
    });
    expect(turn.system).toBe('Be brief.\n\nAnswer in English.');
    // Converse wants roles to alternate: two user messages in a row are one.
    expect(turn.history).toEqual([
      { role: 'user', text: 'Hi\n\nthere' },
      { role: 'assistant', text: 'Hello.' },
    ]);
    expect(turn.prompt).toBe('Rivers?');
    expect(turn.maxTokens).toBeNull();
    expect(turn.stream).toBe(false);
  });

  it('honours max_completion_tokens over max_tokens, temperature (clamped to Converse\'s 0–1), top_p, stop and include_usage', () => {
    const turn = ok({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 1.5,
      top_p: 0.9,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(turn.maxTokens).toBe(20);
    expect(turn.inference).toEqual({ temperature: 1, topP: 0.9, stopSequences: ['END'] });
    expect(turn.includeUsage).toBe(true);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'm', messages: [] }, 'messages'],
    [{ model: 'm', messages: [{ role: 'assistant', content: 'x' }] }, 'messages'],
    [{ model: 'm', messages: [{ role: 'assistant', content: 'a' }, { role: 'user', content: 'b' }] }, 'messages'],
    [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[0].content'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }, 'max_tokens'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: -1 }, 'temperature'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [] }, 'tools'],
  ])('refuses %j naming %s', (body, param) => {
    const parsed = parseChatRequest(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.param).toBe(param);
  });

  it('refuses what is not an object', () => {
    for (const body of [null, [], 'x', 3]) expect(parseChatRequest(body).ok).toBe(false);
  });
});
