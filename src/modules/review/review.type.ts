import { Field, ID, Int, ObjectType } from "type-graphql";
import { graphqlEnum } from "../../common/enums";
import { APPEAL_OUTCOMES, REVIEW_STATUSES } from "../../db/schema";
import { DateScalar } from "../../common/scalars";

export const ReviewStatus = graphqlEnum(
  REVIEW_STATUSES,
  "ReviewStatus",
  "OPEN → (HEARING_SCHEDULED →) DECIDED → (APPEALED → APPEAL_DECIDED →) FINAL.",
);
export type ReviewStatus = keyof typeof ReviewStatus;

export const AppealOutcome = graphqlEnum(
  APPEAL_OUTCOMES,
  "AppealOutcome",
  "What the appeal decided about the penalty.",
);
export type AppealOutcome = keyof typeof AppealOutcome;

@ObjectType({ description: "The decision of a disciplinary review (after any appeal)." })
export class ReviewDecision {
  @Field({
    description: "Penalty code from the penalties table; after a REDUCED appeal, the reduced one.",
  })
  penalty: string;

  @Field(() => String, {
    nullable: true,
    description: "The penalty first decided, when an appeal reduced it.",
  })
  originalPenalty: string | null;

  @Field(() => DateScalar, { description: "First day the penalty applies." })
  effectiveFrom: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day it no longer applies; null for permanent.",
  })
  effectiveUntil: string | null;

  @Field({ description: "Why this penalty." })
  rationale: string;

  @Field(() => [String], { description: "Circumstances that made it heavier." })
  aggravatingFactors: string[];

  @Field(() => [String], { description: "Circumstances that made it lighter." })
  mitigatingFactors: string[];

  @Field({ description: "When it was decided." })
  decidedAt: Date;

  @Field(() => AppealOutcome, { nullable: true, description: "The appeal's outcome, if decided." })
  appealOutcome: AppealOutcome | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Why the appeal was decided so, once it is (null for appeals decided before reasons were required).",
  })
  appealRationale: string | null;

  @Field({ description: "True when an appeal overturned it: it is then never in force." })
  overturned: boolean;
}

@ObjectType({ description: "A disciplinary review of one officer." })
export class DisciplinaryReview {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field(() => Int, { description: "Increases with every change; pass it as expectedVersion." })
  version: number;

  @Field(() => ReviewStatus, { description: "Where the review stands." })
  status: ReviewStatus;

  @Field({ description: "What the review is about." })
  summary: string;

  @Field({ description: "When it was opened." })
  openedAt: Date;

  @Field(() => Date, { nullable: true, description: "When the hearing is (or was) scheduled." })
  hearingAt: Date | null;

  @Field(() => String, { nullable: true, description: "Why the officer appealed." })
  appealReason: string | null;

  officerId: string;
  penalty: string | null;
  originalPenalty: string | null;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
  rationale: string | null;
  aggravatingFactors: string[];
  mitigatingFactors: string[];
  decidedAt: Date | null;
  appealOutcome: AppealOutcome | null;
  overturned: boolean;
}
