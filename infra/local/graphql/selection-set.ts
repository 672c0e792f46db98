import { Kind, print, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * `ctx.info.selectionSetList` as AppSync builds it: every selected field below the current
 * one as a slash-separated path (`messages`, `messages/items`, `messages/items/text`),
 * fragments expanded, aliases ignored, `__typename` left out.
 *
 * @example
 * ```ts
 * selectionSetList(info.fieldNodes, info.fragments); // ['id', 'messages', 'messages/items']
 * ```
 */
export function selectionSetList(fieldNodes: readonly FieldNode[], fragments: Record<string, FragmentDefinitionNode>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, prefix: string) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        const path = prefix ? `${prefix}/${name}` : name;
        if (!seen.has(path)) {
          seen.add(path);
          out.push(path);
        }
        walk(selection.selectionSet, path);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, prefix);
      } else {
        walk(fragments[selection.name.value]?.selectionSet, prefix);
      }
    }
  };
  for (const node of fieldNodes) walk(node.selectionSet, '');
  return out;
}

/** `ctx.info.selectionSetGraphQL`: the field's selection set as GraphQL text. */
export function selectionSetGraphQL(fieldNodes: readonly FieldNode[]): string {
  return fieldNodes
    .map((node) => (node.selectionSet ? print(node.selectionSet) : ''))
    .filter(Boolean)
    .join('\n');
}
