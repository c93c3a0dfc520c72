import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLSchema } from "graphql";
import type { Context } from "../context";
import { forbidden, unauthenticated } from "../errors";
import { decide, FIELD_POLICY, OPERATION_POLICY, type Audience } from "./policy";

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/**
 * Checks one field against its audience. A refusal is noted for the request's one DENIED record, written
 * before the response leaves (src/audit/request-audit.ts).
 */
function enforce(context: Context, audience: readonly Audience[] | undefined, key: string) {
  const decision = decide(audience, context.principal?.role ?? null);
  if (decision === "ALLOW") return;
  context.denied.add(key);
  throw decision === "UNAUTHENTICATED" ? unauthenticated(context.tokenRejected) : forbidden(key);
}

/**
 * Wraps, once at start-up, every root field and every object field the policy names with the policy check.
 * Root fields missing from the policy are refused (deny by default). Other fields are left untouched, so
 * the check costs nothing on the thousands of plain fields in a large response.
 */
export function applyPolicy(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const isRoot = ROOTS.has(type.name);
    const policy = isRoot ? OPERATION_POLICY : FIELD_POLICY;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, Context>[]) {
      const key = isRoot ? field.name : `${type.name}.${field.name}`;
      // Own entries only: a field named like an Object.prototype member ("constructor") must not find one.
      const audience = Object.hasOwn(policy, key) ? policy[key] : undefined;
      if (!isRoot && !audience) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = async (root, args, context, info) => {
        enforce(context, audience, key);
        return resolve(root, args, context, info);
      };
    }
  }
  return schema;
}
