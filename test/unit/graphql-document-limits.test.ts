import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DocumentCache } from '../../infra/local/graphql/document-cache.js';
import { braceDepthExceeds, documentCost, limitProblem } from '../../infra/local/graphql/document-limits.js';

const schema = buildSchema(`
  type Query { items: [Item!]! me: Item }
  type Item { id: ID! children: [Item!]! }
`);
const resolved = new Set(['Query.items', 'Query.me', 'Item.children']);
const hasResolver = (type: string, field: string) => resolved.has(`${type}.${field}`);

describe('documentCost', () => {
  it('counts field levels and resolver fields, fragments expanded where spread', () => {
    // Prepare
    const doc = parse('query Q { items { id children { ...F } } a: me { id } } fragment F on Item { children { id } }');

    // Act
    const cost = documentCost(schema, doc, 'Q', hasResolver);

    // Assess
    expect(cost).toEqual({ depth: 4, resolvers: 4 });
  });

  it('counts every alias of a field as its own resolver run', () => {
    // Prepare
    const doc = parse(`{ ${Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);

    // Act
    const problem = limitProblem(documentCost(schema, doc, null, hasResolver), { queryDepthLimit: 0, resolverCountLimit: 49 });

    // Assess
    expect(problem).toBe('Resolver count limit of 49 exceeded: the query would run 50 resolvers.');
  });
});

describe('braceDepthExceeds', () => {
  it('ignores braces inside strings and comments', () => {
    // Act
    const quoted = braceDepthExceeds('{ a(s: "{{{{") # {{{{\n }', 2);
    const nested = braceDepthExceeds('{ a { b { c } } }', 2);

    // Assess
    expect(quoted).toBe(false);
    expect(nested).toBe(true);
  });
});

describe('DocumentCache', () => {
  it('stays within its byte budget, evicting the least recently used text', () => {
    // Prepare
    const cache = new DocumentCache<number>(100, 60);
    cache.set('a'.repeat(40), 1);
    cache.set('b'.repeat(40), 2);
    cache.get('a'.repeat(40));

    // Act
    cache.set('c'.repeat(40), 3);
    cache.set('d'.repeat(61), 4);

    // Assess
    expect(cache.bytes).toBeLessThanOrEqual(100);
    expect(cache.get('a'.repeat(40))).toBe(1);
    expect(cache.get('b'.repeat(40))).toBeUndefined();
    expect(cache.get('d'.repeat(61))).toBeUndefined();
  });
});
