import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar } from "../../common/scalars";
import { Connection } from "../../common/pagination";
import { AllegationCategory } from "../complaint/complaint.type";

export enum Standing {
  SEPARATED = "SEPARATED",
  SUSPENDED = "SUSPENDED",
  UNDER_REVIEW = "UNDER_REVIEW",
  SANCTIONED = "SANCTIONED",
  MONITORED = "MONITORED",
  GOOD = "GOOD",
}
registerEnumType(Standing, {
  name: "Standing",
  description:
    "An officer's standing for HR, decided by the first rule that matches, in this order.",
  valuesConfig: {
    SEPARATED: { description: "1. Status DISMISSED or RETIRED." },
    SUSPENDED: { description: "2. Status SUSPENDED." },
    UNDER_REVIEW: {
      description:
        "3. A disciplinary review awaits a decision (OPEN, HEARING_SCHEDULED or APPEALED).",
    },
    SANCTIONED: {
      description:
        "4. A sanction is in force: decided, not overturned, not NO_ACTION, and today within its window.",
    },
    MONITORED: { description: "5. An active early-warning rule fires." },
    GOOD: { description: "6. None of the above." },
  },
});

@ObjectType({ description: "A sanction in force." })
export class Sanction {
  @Field({ description: "Penalty code (after any REDUCED appeal)." })
  penalty: string;

  @Field(() => DateScalar, { description: "First day it applies." })
  effectiveFrom: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day it no longer applies; null for permanent.",
  })
  effectiveUntil: string | null;

  @Field({ description: "When it was decided." })
  decidedAt: Date;
}

@ObjectType({ description: "An early-warning rule that fires for an officer." })
export class EarlyWarning {
  @Field({ description: "The rule's code, e.g. ANY_3_IN_365." })
  rule: string;

  @Field(() => Int, {
    description:
      "Allegations naming the officer, whatever their outcome, registered inside the window.",
  })
  count: number;

  @Field(() => Int, { description: "The count at which the rule fires." })
  threshold: number;

  @Field(() => Int, { description: "The window, in days up to now." })
  windowDays: number;
}

/** What it rests on (sanctions, counts, warnings) is resolved field by field, in standing.resolver.ts. */
@ObjectType({ description: "An officer's standing and what it rests on." })
export class OfficerStanding {
  @Field({ description: "When it was computed." })
  asOf: Date;

  @Field(() => Standing, { description: "The standing." })
  standing: Standing;

  officerId: string;
}

@ObjectType({ description: "An early-warning rule: so many allegations in so many days." })
export class EarlyWarningRule {
  @Field({ description: "Code, e.g. FORCE_2_IN_180." })
  code: string;

  @Field(() => [AllegationCategory], {
    description: "Categories counted; empty means every category.",
  })
  categories: AllegationCategory[];

  @Field(() => Int, { description: "Window in days, up to now." })
  windowDays: number;

  @Field(() => Int, { description: "Allegations in the window at which the rule fires." })
  threshold: number;

  @Field({ description: "Inactive rules never fire." })
  active: boolean;
}

export const OfficerStandingConnection = Connection(
  OfficerStanding,
  "OfficerStanding",
  "officer standing",
);
