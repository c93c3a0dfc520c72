import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { AllegationCategory } from "../complaint/complaint.type";
import { DateScalar } from "../../common/scalars";
import type { UnitRow } from "../../db/schema";

export enum MetricsInterval {
  MONTH = "MONTH",
  QUARTER = "QUARTER",
  YEAR = "YEAR",
}
registerEnumType(MetricsInterval, {
  name: "MetricsInterval",
  description:
    "Calendar intervals of a series; the first and last points are clipped to the period.",
});

const HIDDEN = " Null when suppressed (see suppressedFields).";

@ObjectType({ description: "Feedback complainants gave on complaints closed in the period." })
export class Satisfaction {
  @Field(() => Int, {
    nullable: true,
    description: `Ratings given on complaints closed in the period.${HIDDEN}`,
  })
  responses: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Mean rating (1-5) of those responses; null when there are none.${HIDDEN}`,
  })
  averageRating: number | null;
}

@ObjectType({ description: "Allegations of one category in the period." })
export class CategoryMetrics {
  @Field(() => AllegationCategory, { description: "The category." })
  category: AllegationCategory;

  @Field(() => Int, {
    nullable: true,
    description: `Allegations in complaints received in the period, toward the unit at the incident.${HIDDEN}`,
  })
  allegations: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `SUSTAINED findings in complaints closed in the period.${HIDDEN}`,
  })
  sustained: number | null;
}

/**
 * Published figures for a unit's subtree over [from, to). Every definition below is what the
 * roll-up triggers of migration 0006 count; the README repeats them so figures can be reproduced.
 */
@ObjectType({
  description:
    "Trust figures for a unit and every unit below it over the period [from, to); days are calendar days in Asia/Almaty. " +
    "Without an ANALYST, INVESTIGATOR, SUPERVISOR or AUDITOR token, counts from 1 to 4 and rates resting on them are null and named in suppressedFields.",
})
export class TrustMetrics {
  unitId: string;
  /** The unit itself, when the figures came with it (public figures carry their year's units). */
  unit?: UnitRow;

  @Field(() => DateScalar, { description: "First day of the period (inclusive), YYYY-MM-DD." })
  from: string;

  @Field(() => DateScalar, { description: "Day after the period (exclusive), YYYY-MM-DD." })
  to: string;

  @Field(() => Int, {
    nullable: true,
    description: `Officers assigned in the subtree at the end of the period (on its last day), not counting those dismissed or retired by then.${HIDDEN}`,
  })
  officerCount: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Complaints registered in the period, toward the unit given on the complaint.${HIDDEN}`,
  })
  complaintsReceived: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `complaintsReceived per 100 officers of officerCount.${HIDDEN}`,
  })
  complaintsPer100Officers: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Complaints closed in the period (the base of the closure figures).${HIDDEN}`,
  })
  complaintsClosed: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Allegations with a merits finding (never a closure reason) in complaints closed in the period, toward the unit at the incident.${HIDDEN}`,
  })
  allegationsWithFinding: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `SUSTAINED findings divided by allegationsWithFinding.${HIDDEN}`,
  })
  sustainRate: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Median of calendar days from registration to closure over complaints closed in the period.${HIDDEN}`,
  })
  medianDaysToClose: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Share of complaints closed in the period that closed by the deadline in force (after any extension).${HIDDEN}`,
  })
  closedWithinDeadlineRate: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Complaints registered before the end of the period and not closed by then.${HIDDEN}`,
  })
  openCases: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Of openCases, those past the deadline in force at the end of the period.${HIDDEN}`,
  })
  overdueCases: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `VERIFIED commendations registered in the period, toward the officer's unit when it happened.${HIDDEN}`,
  })
  commendations: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `commendations divided by complaintsReceived.${HIDDEN}`,
  })
  commendationToComplaintRatio: number | null;

  @Field(() => Satisfaction, { description: "Feedback on complaints closed in the period." })
  satisfaction: Satisfaction;

  @Field(() => [CategoryMetrics], { description: "Every allegation category, in a fixed order." })
  byCategory: CategoryMetrics[];

  @Field(() => [String], {
    description:
      'Fields hidden by small-cell suppression, as paths: "complaintsReceived", "satisfaction.averageRating", "byCategory.FORCE.sustained". Empty for ANALYST and above.',
  })
  suppressedFields: string[];

  /** Set for published figures, so children are suppressed the same way. */
  suppress: boolean;
}
