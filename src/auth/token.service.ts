import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "../context";
import { inTransaction } from "../context";
import { principals } from "../db/schema";
import { badInput, notFound } from "../errors";
import { createPrincipal } from "./token";
import type { IssueApiTokenInput } from "./token.resolver";

export async function issueApiToken(ctx: Context, input: IssueApiTokenInput) {
  if (input.expiresAt && input.expiresAt <= ctx.now) {
    throw badInput("input.expiresAt", "expiresAt must be in the future");
  }
  return inTransaction(ctx, async (tx, audit) => {
    const { token, principal } = await createPrincipal(tx, {
      ...input,
      createdBy: ctx.principal?.id,
    });
    audit({ action: "issueApiToken", entity: "Principal", entityId: principal.id, input });
    return { token, principal };
  });
}

/** Revokes the principal's token at once; later requests with it are UNAUTHENTICATED. */
export async function revokeApiToken(ctx: Context, principalId: string) {
  return inTransaction(ctx, async (tx, audit) => {
    const [principal] = await tx
      .select({ id: principals.id })
      .from(principals)
      .where(eq(principals.id, principalId))
      .for("update");
    if (!principal) throw notFound("Principal");
    await tx
      .update(principals)
      .set({ revokedAt: ctx.now })
      .where(and(eq(principals.id, principalId), isNull(principals.revokedAt)));
    audit({
      action: "revokeApiToken",
      entity: "Principal",
      entityId: principalId,
      input: { principalId },
    });
    return { revoked: true };
  });
}
