import { registerEnumType } from "type-graphql";

/**
 * A GraphQL enum made from a schema's list of values, and registered under `name`: `Channel.WEB_FORM` is
 * "WEB_FORM", typed as the column is, so that rows and GraphQL values are one type and no cast goes between them.
 */
export function graphqlEnum<const T extends string>(
  values: readonly T[],
  name: string,
  description: string,
  valuesConfig?: { [K in T]?: { description: string } },
): { readonly [K in T]: K } {
  const members = Object.fromEntries(values.map((v) => [v, v])) as { readonly [K in T]: K };
  registerEnumType(members, { name, description, valuesConfig });
  return members;
}
