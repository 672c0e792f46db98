import {
  Kind,
  getNamedType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * Tokens the twin's parser reads in one document before giving up. A 10,000-alias
 * document (`a1: models { id }` …) is 60,000 tokens and parses in milliseconds; the
 * quadratic cost is validation's, which the resolver count limit spares it. Past this
 * a document is refused before parsing finishes.
 */
export const MAX_DOCUMENT_TOKENS = 100_000;

/** What a document may cost, as the API's `queryDepthLimit` and `resolverCountLimit` set it. */
export interface DocumentLimits {
  /** Nested field levels of one operation (0: no limit, as AppSync's default). */
  queryDepthLimit: number;
  /** Resolvers one request may run. */
  resolverCountLimit: number;
}

/** How costly one operation is, measured on the document before anything runs. */
export interface DocumentCost {
  depth: number;
  /** Resolver runs the document asks for, counting each list field once (a lower bound). */
  resolvers: number;
}

/**
 * True when the text nests `{` deeper than `maxDepth`, skipping strings and comments.
 * One pass, no recursion: a document nested 10,000 deep is refused before the
 * (recursive) parser sees it.
 *
 * @example
 * braceDepthExceeds('{a{b{c}}}', 2) // true
 */
export function braceDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      if (text.startsWith('"""', i)) {
        const end = text.indexOf('"""', i + 3);
        i = end < 0 ? text.length : end + 2;
      } else {
        for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
      }
    } else if (c === '{') {
      if (++depth > maxDepth) return true;
    } else if (c === '}') {
      depth--;
    }
  }
  return false;
}

/**
 * Measures the operation a request runs (the named one, or the only one): its depth in
 * field levels and how many resolvers it would run, fragments expanded. Runs before
 * validation, so a 10,000-alias document is refused without the quadratic
 * overlapping-fields check ever seeing it.
 *
 * @example
 * const cost = documentCost(schema, doc, null, (type, field) => plans.has(`${type}.${field}`));
 */
export function documentCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  operationName: string | null | undefined,
  hasResolver: (typeName: string, fieldName: string) => boolean,
): DocumentCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of doc.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operations = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => (operationName ? o.name?.value === operationName : true));
  if (!operation) return { depth: 0, resolvers: 0 };
  const root = schema.getRootType(operation.operation);

  // Each fragment costs the same wherever it is spread; a cycle (invalid anyway) counts once.
  const fragmentCosts = new Map<string, DocumentCost>();
  const measuring = new Set<string>();

  function measure(set: SelectionSetNode, parent: GraphQLNamedType | undefined): DocumentCost {
    let depth = 0;
    let resolvers = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const fields = parent && isObjectType(parent) ? parent.getFields() : undefined;
        const field = fields?.[selection.name.value];
        if (parent && hasResolver(parent.name, selection.name.value)) resolvers++;
        const inner = selection.selectionSet ? measure(selection.selectionSet, field ? getNamedType(field.type) : undefined) : { depth: 0, resolvers: 0 };
        depth = Math.max(depth, inner.depth + 1);
        resolvers += inner.resolvers;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        const inner = measure(selection.selectionSet, typed ?? undefined);
        depth = Math.max(depth, inner.depth);
        resolvers += inner.resolvers;
      } else {
        const inner = fragmentCost(selection.name.value);
        depth = Math.max(depth, inner.depth);
        resolvers += inner.resolvers;
      }
    }
    return { depth, resolvers };
  }

  function fragmentCost(name: string): DocumentCost {
    const known = fragmentCosts.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || measuring.has(name)) return { depth: 0, resolvers: 0 };
    measuring.add(name);
    const cost = measure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
    measuring.delete(name);
    fragmentCosts.set(name, cost);
    return cost;
  }

  return measure(operation.selectionSet, root ?? undefined);
}

/**
 * The error a document past a limit gets, before anything runs: AppSync names both
 * limits in its API configuration and answers with a validation error.
 *
 * @example
 * const problem = limitProblem(cost, limits); // "Query depth limit of 10 exceeded: the query nests 12 levels."
 */
export function limitProblem(cost: DocumentCost, limits: DocumentLimits): string | undefined {
  if (limits.queryDepthLimit > 0 && cost.depth > limits.queryDepthLimit) {
    return `Query depth limit of ${limits.queryDepthLimit} exceeded: the query nests ${cost.depth} levels.`;
  }
  if (cost.resolvers > limits.resolverCountLimit) {
    return `Resolver count limit of ${limits.resolverCountLimit} exceeded: the query would run ${cost.resolvers} resolvers.`;
  }
  return undefined;
}
