/**
 * A GraphQL enum (for registerEnumType) made from a schema's list of values: `Channel.WEB_FORM` is "WEB_FORM",
 * typed as the column is, so that rows and GraphQL values are one type and no cast goes between them.
 */
export function enumOf<const T extends string>(values: readonly T[]): { readonly [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { readonly [K in T]: K };
}
