import { ArrayMaxSize, IsOptional, IsUUID, Length, Matches, MaxLength } from "class-validator";
import { NO_NUL, TEXT } from "../../common/validation";
import { Field, ID, InputType, Int } from "type-graphql";
import { DateScalar } from "../../common/scalars";
import { BADGE_NUMBER, RANK_CODE } from "../officer/officer.input";

import { AppealOutcome } from "./review.type";

const reviewId = () => Field(() => ID, { description: "The review." });
const version = () =>
  Field(() => Int, {
    description: "The version you last saw; a stale one gives CONFLICT and changes nothing.",
  });

@InputType({
  description:
    "Open a review of one officer for their sustained allegations (or, with none, on internal grounds).",
})
export class OpenDisciplinaryReviewInput {
  @Field({ description: "Badge number of the officer." })
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge: string;

  @Field(() => [ID], {
    description: "The officer's own SUSTAINED allegations; empty for a review on internal grounds.",
  })
  @ArrayMaxSize(100)
  @IsUUID("all", { each: true, message: "allegationIds must be ids" })
  allegationIds: string[];

  @Field({ description: "What the review is about, 1 to 5000 characters." })
  @Length(1, 5000, { message: "summary must be 1 to 5000 characters" })
  @Matches(/\S/, { message: "summary must not be blank" })
  @Matches(TEXT, NO_NUL)
  summary: string;
}

@InputType({ description: "Move a review on without other data (finalize)." })
export class ReviewTransitionInput {
  @reviewId()
  @IsUUID("all", { message: "reviewId is not an id" })
  reviewId: string;

  @version()
  expectedVersion: number;
}

@InputType({ description: "Schedule (or reschedule) the hearing." })
export class ScheduleHearingInput extends ReviewTransitionInput {
  @Field({ description: "When the hearing takes place." })
  hearingAt: Date;
}

@InputType({ description: "The review board's decision." })
export class DecideDisciplinaryReviewInput extends ReviewTransitionInput {
  @Field({ description: "Penalty code from the penalties table (NO_ACTION when none)." })
  @Matches(RANK_CODE, { message: "penalty is not a penalty code" })
  penalty: string;

  @Field(() => DateScalar, { description: "First day the penalty applies." })
  effectiveFrom: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day it no longer applies; null or absent for permanent.",
  })
  @IsOptional()
  effectiveUntil?: string | null;

  @Field({ description: "Why, 1 to 5000 characters." })
  @Length(1, 5000, { message: "rationale must be 1 to 5000 characters" })
  @Matches(/\S/, { message: "rationale must not be blank" })
  @Matches(TEXT, NO_NUL)
  rationale: string;

  @Field(() => [String], {
    nullable: true,
    description: "Aggravating circumstances, up to 20 of up to 500 characters.",
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @MaxLength(500, { each: true })
  aggravatingFactors?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: "Mitigating circumstances, up to 20 of up to 500 characters.",
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @MaxLength(500, { each: true })
  mitigatingFactors?: string[] | null;
}

@InputType({ description: "Record the officer's appeal against a decision that is not yet FINAL." })
export class AppealInput extends ReviewTransitionInput {
  @Field({ description: "The grounds of appeal, 1 to 5000 characters." })
  @Length(1, 5000, { message: "reason must be 1 to 5000 characters" })
  @Matches(/\S/, { message: "reason must not be blank" })
  @Matches(TEXT, NO_NUL)
  reason: string;
}

@InputType({
  description: "Decide an appeal: UPHELD, REDUCED (with a lighter penalty) or OVERTURNED.",
})
export class DecideAppealInput extends ReviewTransitionInput {
  @Field(() => AppealOutcome, { description: "The outcome." })
  outcome: AppealOutcome;

  @Field(() => String, { nullable: true, description: "The lighter penalty, for REDUCED only." })
  @IsOptional()
  @Matches(RANK_CODE, { message: "penalty is not a penalty code" })
  penalty?: string | null;

  @Field({ description: "Why the appeal is decided so, 1 to 5000 characters." })
  @Length(1, 5000, { message: "rationale must be 1 to 5000 characters" })
  @Matches(/\S/, { message: "rationale must not be blank" })
  @Matches(TEXT, NO_NUL)
  rationale: string;
}
