import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

/**
 * Names of the fields the client selected directly under this field, through named and inline fragments
 * too, so a resolver can skip work nobody asked for. Fields under @skip/@include count as selected.
 */
export function selectedFields(info: GraphQLResolveInfo): ReadonlySet<string> {
  const names = new Set<string>();
  const collect = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else
        collect(
          s.kind === Kind.INLINE_FRAGMENT
            ? s.selectionSet
            : info.fragments[s.name.value]?.selectionSet,
        );
    }
  };
  for (const node of info.fieldNodes) collect(node.selectionSet);
  return names;
}
