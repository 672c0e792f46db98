import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from '../../../../web/src/chat/markdown-parse.js';

describe('parseMarkdown', () => {
  it('reads a fenced code block with its language and keeps its text verbatim', () => {
    // Act
    const blocks = parseMarkdown('Look:\n\n```ts\nconst a = <b>1</b>;\n```\nDone.');

    // Assess
    expect(blocks).toEqual([
      { type: 'paragraph', children: [{ type: 'text', text: 'Look:' }] },
      { type: 'code', lang: 'ts', text: 'const a = <b>1</b>;' },
      { type: 'paragraph', children: [{ type: 'text', text: 'Done.' }] },
    ]);
  });

  it('treats an unclosed fence of a streaming answer as code to the end', () => {
    // Act
    const blocks = parseMarkdown('```py\nprint(1)\nprint(2');

    // Assess
    expect(blocks).toEqual([{ type: 'code', lang: 'py', text: 'print(1)\nprint(2' }]);
  });

  it('reads headings, bullet and numbered lists and quotes', () => {
    // Act
    const types = parseMarkdown('## Title\n- one\n- two\n\n1. first\n2. second\n\n> quoted').map((b) => b.type);

    // Assess
    expect(types).toEqual(['heading', 'list', 'list', 'quote']);
  });
});

describe('parseInline', () => {
  it('reads code, bold, italics and http links', () => {
    // Act
    const inlines = parseInline('Use `npm start`, **now**, *please*: [docs](https://example.com/x)');

    // Assess
    expect(inlines).toEqual([
      { type: 'text', text: 'Use ' },
      { type: 'code', text: 'npm start' },
      { type: 'text', text: ', ' },
      { type: 'strong', children: [{ type: 'text', text: 'now' }] },
      { type: 'text', text: ', ' },
      { type: 'em', children: [{ type: 'text', text: 'please' }] },
      { type: 'text', text: ': ' },
      { type: 'link', href: 'https://example.com/x', children: [{ type: 'text', text: 'docs' }] },
    ]);
  });

  it('leaves a javascript: link as plain text', () => {
    // Act
    const inlines = parseInline('[click](javascript:alert(1))');

    // Assess
    expect(inlines.every((i) => i.type === 'text')).toBe(true);
  });
});
