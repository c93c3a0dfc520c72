import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../../context";
import { Allegation, Complaint } from "../complaint/complaint.type";
import { Officer } from "../officer/officer.type";
import {
  AppealInput,
  DecideAppealInput,
  DecideDisciplinaryReviewInput,
  OpenDisciplinaryReviewInput,
  ReviewTransitionInput,
  ScheduleHearingInput,
} from "./review.input";
import * as service from "./review.service";
import { DisciplinaryReview, ReviewDecision } from "./review.type";
import type { ComplaintRow, ReviewRow } from "../../db/schema";

@ObjectType({ description: "The review after the change." })
class ReviewPayload {
  @Field(() => DisciplinaryReview, { description: "The review as it now stands." })
  review: DisciplinaryReview;
}

const payload = async (work: Promise<DisciplinaryReview>) => ({ review: await work });

@Resolver(() => DisciplinaryReview)
export class ReviewResolver {
  @Query(() => DisciplinaryReview, {
    description: "One disciplinary review; NOT_FOUND when there is none.",
  })
  disciplinaryReview(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return service.findReview(ctx, id);
  }

  @Mutation(() => ReviewPayload, {
    description:
      "Open a review of an officer for their SUSTAINED allegations, or on internal grounds (SUPERVISOR).",
  })
  openDisciplinaryReview(@Arg("input") input: OpenDisciplinaryReviewInput, @Ctx() ctx: Context) {
    return payload(service.openDisciplinaryReview(ctx, input));
  }

  @Mutation(() => ReviewPayload, {
    description: "Schedule or reschedule the hearing of an OPEN review (SUPERVISOR).",
  })
  scheduleHearing(@Arg("input") input: ScheduleHearingInput, @Ctx() ctx: Context) {
    return payload(service.scheduleHearing(ctx, input));
  }

  @Mutation(() => ReviewPayload, { description: "Decide the penalty and its window (SUPERVISOR)." })
  decideDisciplinaryReview(
    @Arg("input") input: DecideDisciplinaryReviewInput,
    @Ctx() ctx: Context,
  ) {
    return payload(service.decideDisciplinaryReview(ctx, input));
  }

  @Mutation(() => ReviewPayload, {
    description: "Record the officer's appeal of a DECIDED review (SUPERVISOR).",
  })
  appealDisciplinaryReview(@Arg("input") input: AppealInput, @Ctx() ctx: Context) {
    return payload(service.appealDisciplinaryReview(ctx, input));
  }

  @Mutation(() => ReviewPayload, {
    description:
      "Decide an appeal: UPHELD, REDUCED (lighter penalty replaces it) or OVERTURNED (SUPERVISOR).",
  })
  decideAppeal(@Arg("input") input: DecideAppealInput, @Ctx() ctx: Context) {
    return payload(service.decideAppeal(ctx, input));
  }

  @Mutation(() => ReviewPayload, {
    description:
      "Make a DECIDED or APPEAL_DECIDED review FINAL: no appeal after this (SUPERVISOR).",
  })
  finalizeReview(@Arg("input") input: ReviewTransitionInput, @Ctx() ctx: Context) {
    return payload(service.finalizeReview(ctx, input));
  }

  @FieldResolver(() => Officer, { description: "The officer under review." })
  officer(@Root() review: ReviewRow, @Ctx() { loaders }: Context) {
    return loaders.officerById.load(review.officerId);
  }

  @FieldResolver(() => [Allegation], {
    description: "The sustained allegations under review; empty on internal grounds.",
  })
  async allegations(@Root() review: ReviewRow, @Ctx() { loaders }: Context) {
    const ids = await loaders.allegationIdsByReviewId.load(review.id);
    return (await loaders.allegationById.loadMany(ids)).filter((a) => a && !(a instanceof Error));
  }

  @FieldResolver(() => ReviewDecision, {
    nullable: true,
    description: "The decision; null until DECIDED.",
  })
  decision(@Root() r: ReviewRow): ReviewDecision | null {
    if (!r.decidedAt || !r.penalty || !r.effectiveFrom) return null;
    return {
      penalty: r.penalty,
      originalPenalty: r.originalPenalty,
      effectiveFrom: r.effectiveFrom,
      effectiveUntil: r.effectiveUntil,
      rationale: r.rationale ?? "",
      aggravatingFactors: r.aggravatingFactors,
      mitigatingFactors: r.mitigatingFactors,
      decidedAt: r.decidedAt,
      appealOutcome: r.appealOutcome,
      appealRationale: r.appealRationale,
      overturned: r.overturned,
    };
  }
}

@Resolver(() => Complaint)
export class ComplaintReviewsResolver {
  @FieldResolver(() => [DisciplinaryReview], {
    description: "Disciplinary reviews concerning this complaint's allegations.",
  })
  reviews(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return loaders.reviewsByComplaintId.load(complaint.id);
  }
}
