/** Parts of speech the simulator's clause shapes are built from. */
export type PartOfSpeech = 'det' | 'adj' | 'noun' | 'verb' | 'adv' | 'prep' | 'conj';

/** The simulator's word lists, on the theme of the product so demo answers read plausibly. */
export const WORDS: Readonly<Record<PartOfSpeech, readonly string[]>> = {
  det: ['the', 'a', 'each', 'every', 'this', 'that', 'one', 'another', 'your', 'our', 'its'],
  adj: [
    'small', 'steady', 'clear', 'simple', 'fast', 'careful', 'reliable', 'local', 'shared', 'typical',
    'early', 'final', 'exact', 'separate', 'useful', 'quiet', 'large', 'predictable', 'recent', 'busy',
    'cheap', 'partial', 'daily', 'honest', 'modest', 'open', 'stable', 'gentle', 'familiar', 'brief',
  ],
  noun: [
    'request', 'response', 'token', 'stream', 'model', 'budget', 'answer', 'cache', 'gateway', 'channel',
    'user', 'session', 'message', 'policy', 'limit', 'metric', 'dashboard', 'table', 'record', 'event',
    'handler', 'client', 'server', 'region', 'team', 'cost', 'price', 'window', 'prompt', 'reply',
    'pattern', 'result', 'change', 'system', 'service', 'queue', 'value', 'signal', 'feature', 'setting',
    'account', 'group', 'plan', 'test', 'release', 'path', 'idea', 'question', 'example', 'reader',
    'draft', 'summary', 'schedule', 'estimate', 'ledger', 'report', 'detail', 'habit', 'routine', 'step',
  ],
  verb: [
    'keeps', 'sends', 'checks', 'returns', 'stores', 'reads', 'writes', 'measures', 'limits', 'streams',
    'tracks', 'reduces', 'improves', 'handles', 'builds', 'updates', 'reserves', 'settles', 'shows', 'protects',
    'follows', 'explains', 'shapes', 'answers', 'needs', 'finds', 'covers', 'balances', 'records', 'splits',
  ],
  adv: [
    'quickly', 'usually', 'often', 'carefully', 'still', 'always', 'rarely', 'directly', 'clearly', 'gradually',
    'quietly', 'reliably', 'early', 'again', 'together', 'first', 'later', 'exactly', 'mostly', 'safely',
  ],
  prep: ['in', 'on', 'with', 'for', 'from', 'across', 'before', 'after', 'under', 'through', 'within', 'between', 'behind', 'around'],
  conj: ['and', 'but', 'so', 'while', 'because', 'although', 'yet', 'since'],
};

/** Fenced code blocks the simulator drops into longer answers (at most one per answer). */
export const CODE_SNIPPETS: readonly string[] = [
  [
    '```ts',
    "const reply = await client.send(new ConverseStreamCommand(input));",
    'for await (const event of reply.stream ?? []) {',
    "  process.stdout.write(event.contentBlockDelta?.delta?.text ?? '');",
    '}',
    '```',
  ].join('\n'),
  ['```bash', 'npm test -- --reporter=dot', '```'].join('\n'),
  [
    '```python',
    'total = sum(item.tokens for item in batch)',
    'print(f"{total} tokens in {len(batch)} requests")',
    '```',
  ].join('\n'),
  ['```json', '{ "stopReason": "end_turn", "usage": { "inputTokens": 12, "outputTokens": 48 } }', '```'].join('\n'),
];
