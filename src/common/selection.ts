import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * Names of the fields the client selected directly under this field (or under `path` below it, such as
 * ["edges", "node"], through every alias of each step), through named and inline fragments
 * too, so a resolver can skip work nobody asked for. Fields under @skip/@include count as selected.
 */
export function selectedFields(
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
): ReadonlySet<string> {
  const names = new Set<string>();
  const collect = (set: SelectionSetNode | undefined, depth: number) => {
    for (const s of set?.selections ?? []) {
      if (s.kind !== Kind.FIELD)
        collect(
          s.kind === Kind.INLINE_FRAGMENT
            ? s.selectionSet
            : info.fragments[s.name.value]?.selectionSet,
          depth,
        );
      else if (depth === path.length) names.add(s.name.value);
      else if (s.name.value === path[depth]) collect(s.selectionSet, depth + 1);
    }
  };
  for (const node of info.fieldNodes) collect(node.selectionSet, 0);
  return names;
}
