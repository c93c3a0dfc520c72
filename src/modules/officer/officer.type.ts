import { Field, ID, ObjectType } from "type-graphql";
import { graphqlEnum } from "../../common/enums";
import { OFFICER_STATUSES } from "../../db/schema";
import { DateScalar } from "../../common/scalars";
import { Connection } from "../../common/pagination";
import { Unit } from "../unit/unit.type";

export const OfficerStatus = graphqlEnum(
  OFFICER_STATUSES,
  "OfficerStatus",
  "Service status. DISMISSED and RETIRED officers have left the force.",
);
export type OfficerStatus = keyof typeof OfficerStatus;

@ObjectType({ description: "A police officer's service record." })
export class Officer {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field({ description: "Badge (personal) number, unique across the force." })
  badgeNumber: string;

  @Field({ description: "Full name as in the personnel record." })
  fullName: string;

  @Field({ description: "Rank code from the ranks table (see `ranks`), e.g. SENIOR_LIEUTENANT." })
  rank: string;

  @Field(() => OfficerStatus, { description: "Current service status." })
  status: OfficerStatus;

  @Field(() => DateScalar, { description: "Date the officer joined the force." })
  hiredAt: string;
}

@ObjectType({
  description: "A period of service in one unit: [from, to), `to` null while it lasts.",
})
export class Assignment {
  @Field(() => Unit, { description: "The unit served in." })
  unit: Unit;

  @Field(() => DateScalar, { description: "First day in the unit." })
  from: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day no longer in the unit; null for the current or a scheduled assignment.",
  })
  to: string | null;
}

@ObjectType({
  description: "An officer rank, in order of seniority, named in Kazakh, Russian and English.",
})
export class Rank {
  @Field({ description: "Rank code used in officer records." })
  code: string;

  @Field({ description: "1 for the most junior rank, increasing with seniority." })
  seniority: number;

  @Field({ description: "Name in Kazakh." })
  nameKk: string;

  @Field({ description: "Name in Russian." })
  nameRu: string;

  @Field({ description: "Name in English." })
  nameEn: string;
}

export const OfficerConnection = Connection(Officer, "Officer", "officer");
