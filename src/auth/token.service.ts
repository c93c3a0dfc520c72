import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "../context";
import { inTransaction } from "../context";
import { APPROVED_ROLES, principals } from "../db/schema";
import { badInput, DomainError, invalidState, notFound } from "../errors";
import { channelProblem, createPrincipal, expiryProblem, principalStatus } from "./token";
import type { IssueApiTokenInput } from "./token.resolver";

/**
 * Issues a token through the API. A casework role's token is PENDING until a second person approves it:
 * otherwise an ADMIN could give itself a role that reads complainants.
 */
export async function issueApiToken(ctx: Context, input: IssueApiTokenInput) {
  const expiry = input.expiresAt && expiryProblem(input.expiresAt, ctx.now);
  if (expiry) throw badInput("input.expiresAt", expiry);
  const channel = channelProblem(input.role, input.channel);
  if (channel) throw badInput("input.channel", channel);
  return inTransaction(ctx, async (tx, audit) => {
    const { token, principal } = await createPrincipal(
      tx,
      {
        ...input,
        createdBy: ctx.principal?.id,
        pending: APPROVED_ROLES.includes(input.role),
      },
      ctx.now,
    );
    audit({ action: "issueApiToken", entity: "Principal", entityId: principal.id, input });
    return { token, principal };
  });
}

/** A SUPERVISOR other than the issuer (and the holder) makes a PENDING token work, once. */
export async function approveApiToken(ctx: Context, principalId: string) {
  return inTransaction(ctx, async (tx, audit) => {
    const [principal] = await tx
      .select()
      .from(principals)
      .where(eq(principals.id, principalId))
      .for("update");
    if (!principal) throw notFound("Principal");
    const approver = ctx.principal!.id;
    if (approver === principal.createdBy || approver === principal.id) {
      // On record like any refusal: an attempt to approve one's own token is worth an auditor's look.
      ctx.denied.add("approveApiToken");
      throw new DomainError(
        "FORBIDDEN",
        "A token is approved by a supervisor who neither issued nor holds it",
      );
    }
    const status = principalStatus(principal, ctx.now);
    if (status !== "PENDING") throw invalidState(`Cannot approve a token that is ${status}`);
    const [approved] = await tx
      .update(principals)
      .set({ activatedAt: ctx.now, approvedBy: approver })
      .where(eq(principals.id, principalId))
      .returning();
    audit({
      action: "approveApiToken",
      entity: "Principal",
      entityId: principalId,
      input: { principalId },
    });
    return { principal: approved };
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
