import { memo, type ReactNode } from 'react';
import { parseMarkdown, type Block, type Inline } from './markdown-parse.js';

/** Renders Markdown text as React elements (never as HTML), so model output cannot inject markup. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return <>{parseMarkdown(text).map(renderBlock)}</>;
});

function renderBlock(block: Block, key: number): ReactNode {
  switch (block.type) {
    case 'code':
      return (
        <pre key={key} className="code-block" tabIndex={0} aria-label={block.lang ? `${block.lang} code` : 'code'}>
          <code data-lang={block.lang || undefined}>{block.text}</code>
        </pre>
      );
    case 'heading': {
      // Answers sit under the page's own h1/h2, so their headings start at h3.
      const level = Math.min(block.level + 2, 6);
      const Tag = `h${level}` as 'h3' | 'h4' | 'h5' | 'h6';
      return <Tag key={key}>{renderInlines(block.children)}</Tag>;
    }
    case 'list': {
      const Tag = block.ordered ? 'ol' : 'ul';
      return (
        <Tag key={key}>
          {block.items.map((item, i) => (
            <li key={i}>{renderInlines(item)}</li>
          ))}
        </Tag>
      );
    }
    case 'quote':
      return <blockquote key={key}>{renderInlines(block.children)}</blockquote>;
    case 'paragraph':
      return <p key={key}>{renderInlines(block.children)}</p>;
  }
}

function renderInlines(inlines: Inline[]): ReactNode[] {
  return inlines.map((inline, key) => {
    switch (inline.type) {
      case 'text':
        return inline.text;
      case 'code':
        return <code key={key}>{inline.text}</code>;
      case 'strong':
        return <strong key={key}>{renderInlines(inline.children)}</strong>;
      case 'em':
        return <em key={key}>{renderInlines(inline.children)}</em>;
      case 'link':
        return (
          <a key={key} href={inline.href} target="_blank" rel="noopener noreferrer nofollow">
            {renderInlines(inline.children)}
          </a>
        );
    }
  });
}
