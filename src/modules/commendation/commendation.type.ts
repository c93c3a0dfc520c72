import { Field, ID, ObjectType } from "type-graphql";
import { graphqlEnum } from "../../common/enums";
import { COMMENDATION_STATUSES, COMMENDATION_TYPES } from "../../db/schema";
import { Connection } from "../../common/pagination";
import { Channel } from "../complaint/complaint.type";

export const CommendationType = graphqlEnum(
  COMMENDATION_TYPES,
  "CommendationType",
  "What an officer is commended for.",
);
export type CommendationType = keyof typeof CommendationType;

export const CommendationStatus = graphqlEnum(
  COMMENDATION_STATUSES,
  "CommendationStatus",
  "SUBMITTED until a SUPERVISOR verifies or rejects it; only VERIFIED commendations count anywhere.",
);
export type CommendationStatus = keyof typeof CommendationStatus;

@ObjectType({ description: "Proof of a commendation's submission." })
export class CommendationReceipt {
  @Field({ description: "CMD-<year>-<6 digits>." })
  trackingNumber: string;

  @Field({ description: "When it was registered." })
  registeredAt: Date;
}

@ObjectType({
  description: "The citizen who sent a commendation. Visible to INVESTIGATOR and SUPERVISOR only.",
})
export class CommendationSubmitter {
  @Field(() => String, { nullable: true, description: "Full name." })
  fullName: string | null;

  @Field(() => String, { nullable: true, description: "Email address." })
  email: string | null;

  @Field(() => String, { nullable: true, description: "Phone number." })
  phone: string | null;
}

@ObjectType({ description: "Thanks or an award for an officer." })
export class Commendation {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field({ description: "CMD-<year>-<6 digits>." })
  trackingNumber: string;

  @Field(() => CommendationType, { description: "What it is for." })
  type: CommendationType;

  @Field(() => CommendationStatus, { description: "Whether it has been verified." })
  status: CommendationStatus;

  @Field({ description: "When the commended conduct happened." })
  occurredAt: Date;

  @Field({ description: "When it was registered." })
  registeredAt: Date;

  @Field(() => Channel, {
    nullable: true,
    description: "How a citizen's commendation arrived; null for a supervisor's.",
  })
  channel: Channel | null;

  @Field(() => Date, { nullable: true, description: "When it was verified or rejected." })
  reviewedAt: Date | null;

  /** Read through CommendationResolver.officerDescription, which records the read of the citizen's words. */
  officerDescription: string | null;
  officerId: string | null;
  unitId: string | null;
  narrativeSealed: string;
  submitterNameSealed: string | null;
  submitterEmailSealed: string | null;
  submitterPhoneSealed: string | null;
  recordedBy: string | null;
  reviewedBy: string | null;
}

export const CommendationConnection = Connection(Commendation, "Commendation", "commendation");
