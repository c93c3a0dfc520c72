import { eq } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { anyOf, type Tx } from "../../db/client";
import {
  allegations,
  disciplinaryReviews,
  officers,
  penalties,
  reviewAllegations,
  type ReviewRow,
  type ReviewStatus,
} from "../../db/schema";
import { badInput, conflict, invalidState, notFound } from "../../errors";
import { isUuid } from "../../common/ids";
import type {
  AppealInput,
  DecideAppealInput,
  DecideDisciplinaryReviewInput,
  OpenDisciplinaryReviewInput,
  ReviewTransitionInput,
  ScheduleHearingInput,
} from "./review.input";

export async function findReview(ctx: Context, id: string): Promise<ReviewRow> {
  const review = isUuid(id) ? await ctx.loaders.reviewById.load(id) : null;
  if (!review) throw notFound("Disciplinary review");
  return review;
}

export async function openDisciplinaryReview(
  ctx: Context,
  input: OpenDisciplinaryReviewInput,
): Promise<ReviewRow> {
  const ids = [...new Set(input.allegationIds)];
  if (ids.length !== input.allegationIds.length)
    throw badInput("input.allegationIds", "allegationIds must not repeat");
  return inTransaction(ctx, async (tx, audit) => {
    const [officer] = await tx
      .select()
      .from(officers)
      .where(eq(officers.badgeNumber, input.officerBadge));
    if (!officer) throw badInput("input.officerBadge", "no officer has this badge number");
    const found = ids.length
      ? await tx.select().from(allegations).where(anyOf(allegations.id, ids))
      : [];
    for (const [i, id] of input.allegationIds.entries()) {
      const allegation = found.find((a) => a.id === id);
      const field = `input.allegationIds.${i}`;
      if (!allegation) throw badInput(field, "no allegation has this id");
      if (allegation.officerId !== officer.id)
        throw badInput(field, "the allegation is not against this officer");
      if (allegation.finding !== "SUSTAINED")
        throw invalidState("Reviews are opened only for SUSTAINED allegations");
    }
    const [review] = await tx
      .insert(disciplinaryReviews)
      .values({
        officerId: officer.id,
        summary: input.summary,
        openedBy: ctx.principal?.id ?? null,
        openedAt: ctx.now,
      })
      .returning();
    if (ids.length)
      await tx
        .insert(reviewAllegations)
        .values(ids.map((allegationId) => ({ reviewId: review.id, allegationId })));
    audit({
      action: "openDisciplinaryReview",
      entity: "DisciplinaryReview",
      entityId: review.id,
      input,
    });
    return review;
  });
}

/** Lock, check the version (CONFLICT) then the state (INVALID_STATE), apply, bump the version, audit. */
async function changeReview(
  ctx: Context,
  action: string,
  input: ReviewTransitionInput,
  allowed: ReviewStatus[],
  decide: (review: ReviewRow, tx: Tx) => Promise<Partial<ReviewRow>>,
): Promise<ReviewRow> {
  if (!isUuid(input.reviewId)) throw notFound("Disciplinary review");
  return inTransaction(ctx, async (tx, audit) => {
    const [review] = await tx
      .select()
      .from(disciplinaryReviews)
      .where(eq(disciplinaryReviews.id, input.reviewId))
      .for("update");
    if (!review) throw notFound("Disciplinary review");
    if (review.version !== input.expectedVersion) throw conflict("The review");
    if (!allowed.includes(review.status))
      throw invalidState(`Cannot ${action} a review that is ${review.status}`);
    const change = await decide(review, tx);
    const [updated] = await tx
      .update(disciplinaryReviews)
      .set({ ...change, version: review.version + 1 })
      .where(eq(disciplinaryReviews.id, review.id))
      .returning();
    audit({ action, entity: "DisciplinaryReview", entityId: review.id, input });
    return updated;
  });
}

async function penaltySeverity(tx: Tx, code: string, field: string): Promise<number> {
  const [penalty] = await tx.select().from(penalties).where(eq(penalties.code, code));
  if (!penalty) throw badInput(field, "no penalty has this code");
  return penalty.severity;
}

export function scheduleHearing(ctx: Context, input: ScheduleHearingInput) {
  if (input.hearingAt.getTime() < ctx.now.getTime() - 86_400_000)
    throw badInput("input.hearingAt", "hearingAt cannot be in the past");
  return changeReview(ctx, "scheduleHearing", input, ["OPEN", "HEARING_SCHEDULED"], async () => ({
    status: "HEARING_SCHEDULED",
    hearingAt: input.hearingAt,
  }));
}

export function decideDisciplinaryReview(ctx: Context, input: DecideDisciplinaryReviewInput) {
  if (input.effectiveUntil && input.effectiveUntil <= input.effectiveFrom) {
    throw badInput("input.effectiveUntil", "effectiveUntil must be after effectiveFrom");
  }
  return changeReview(
    ctx,
    "decideDisciplinaryReview",
    input,
    ["OPEN", "HEARING_SCHEDULED"],
    async (_review, tx) => {
      await penaltySeverity(tx, input.penalty, "input.penalty");
      return {
        status: "DECIDED",
        penalty: input.penalty,
        effectiveFrom: input.effectiveFrom,
        effectiveUntil: input.effectiveUntil ?? null,
        rationale: input.rationale,
        aggravatingFactors: input.aggravatingFactors ?? [],
        mitigatingFactors: input.mitigatingFactors ?? [],
        decidedAt: ctx.now,
        decidedBy: ctx.principal?.id ?? null,
      };
    },
  );
}

export function appealDisciplinaryReview(ctx: Context, input: AppealInput) {
  return changeReview(ctx, "appealDisciplinaryReview", input, ["DECIDED"], async () => ({
    status: "APPEALED",
    appealReason: input.reason,
    appealedAt: ctx.now,
  }));
}

export function decideAppeal(ctx: Context, input: DecideAppealInput) {
  if ((input.outcome === "REDUCED") !== Boolean(input.penalty)) {
    throw badInput("input.penalty", "a penalty is given with REDUCED, and only then");
  }
  return changeReview(ctx, "decideAppeal", input, ["APPEALED"], async (review, tx) => {
    const base = {
      status: "APPEAL_DECIDED" as const,
      appealOutcome: input.outcome,
      appealDecidedAt: ctx.now,
      appealRationale: input.rationale,
    };
    if (input.outcome === "OVERTURNED") return { ...base, overturned: true };
    if (input.outcome === "UPHELD") return base;
    const [reduced, current] = await Promise.all([
      penaltySeverity(tx, input.penalty!, "input.penalty"),
      penaltySeverity(tx, review.penalty!, "input.penalty"),
    ]);
    if (reduced >= current)
      throw badInput("input.penalty", "a reduced penalty must be lighter than the one decided");
    return { ...base, penalty: input.penalty!, originalPenalty: review.penalty };
  });
}

export function finalizeReview(ctx: Context, input: ReviewTransitionInput) {
  return changeReview(ctx, "finalizeReview", input, ["DECIDED", "APPEAL_DECIDED"], async () => ({
    status: "FINAL",
    finalizedAt: ctx.now,
  }));
}
