import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLSchema } from "graphql";
import type { Context } from "../context";
import { forbidden, unauthenticated } from "../errors";
import { decide, DENY_BY_DEFAULT, FIELD_POLICY, OPERATION_POLICY, type Audience } from "./policy";

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/** Who may see what (src/auth/policy.ts); another one only where a test must show what a gap in it does. */
export interface Policy {
  operations: Readonly<Record<string, readonly Audience[]>>;
  fields: Readonly<Record<string, readonly Audience[]>>;
  denyByDefault: ReadonlySet<string>;
}

export const SENIM_POLICY: Policy = {
  operations: OPERATION_POLICY,
  fields: FIELD_POLICY,
  denyByDefault: DENY_BY_DEFAULT,
};

/**
 * Checks one field against its audience, and returns the refusal when there is one. A refusal is noted for
 * the request's one DENIED record, written before the response leaves (src/audit/request-audit.ts).
 */
function refusal(context: Context, audience: readonly Audience[] | undefined, key: string) {
  const decision = decide(audience, context.principal?.role ?? null);
  if (decision === "ALLOW") return null;
  context.denied.add(key);
  return decision === "UNAUTHENTICATED" ? unauthenticated(context.tokenRejected) : forbidden(key);
}

/**
 * Wraps, once at start-up, every root field, every field of the deny-by-default types and every other
 * object field the policy names with the policy check. Those fields are refused when the policy has no
 * entry for them. Other fields are left untouched, so the check costs nothing on the thousands of plain
 * fields in a large response.
 */
export function applyPolicy(schema: GraphQLSchema, policy: Policy = SENIM_POLICY): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const isRoot = ROOTS.has(type.name);
    const denyByDefault = isRoot || policy.denyByDefault.has(type.name);
    const entries = isRoot ? policy.operations : policy.fields;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, Context>[]) {
      const key = isRoot ? field.name : `${type.name}.${field.name}`;
      // Own entries only: a field named like an Object.prototype member ("constructor") must not find one.
      const audience = Object.hasOwn(entries, key) ? entries[key] : undefined;
      if (!denyByDefault && !audience) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      // Allowed, the resolver's own result as it is: no promise of the check's own on each field of each
      // of the 100 complaints a queue page may hold. Refused, a rejection rather than a throw: a throw on a
      // non-null field would stop its siblings from running, and their refusals would go unrecorded.
      field.resolve = (root, args, context, info) => {
        const refused = refusal(context, audience, key);
        return refused ? Promise.reject(refused) : resolve(root, args, context, info);
      };
    }
  }
  return schema;
}
