import type { MiddlewareFn } from "type-graphql";
import type { Context } from "../context";
import { auditDenied } from "../context";
import { DomainError, forbidden } from "../errors";
import { decide, FIELD_POLICY, OPERATION_POLICY } from "./policy";

const ROOTS = new Set(["Query", "Mutation", "Subscription"]);

/**
 * Applies the policy to every root field and to every object field the policy names.
 * Refusals are audited before the error reaches the client.
 */
export const guard: MiddlewareFn<Context> = async ({ context, info }, next) => {
  const parent = info.parentType.name;
  const isRoot = ROOTS.has(parent);
  const key = isRoot ? info.fieldName : `${parent}.${info.fieldName}`;
  const audience = isRoot ? OPERATION_POLICY[key] : FIELD_POLICY[key];
  if (!isRoot && !audience) return next();
  const decision = decide(audience, context.principal?.role ?? null);
  if (decision === "ALLOW") return next();
  await auditDenied(context, key);
  if (decision === "UNAUTHENTICATED") {
    throw new DomainError(
      "UNAUTHENTICATED",
      context.tokenRejected
        ? "The bearer token is unknown, expired or revoked"
        : "A valid bearer token is required for this operation",
    );
  }
  throw forbidden(isRoot ? info.fieldName : key);
};
