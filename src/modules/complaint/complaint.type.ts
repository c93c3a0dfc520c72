import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { graphqlEnum } from "../../common/enums";
import {
  CASE_STATUSES,
  CATEGORIES,
  CHANNELS,
  CLOSURE_REASONS,
  COMPLAINANT_TYPES,
  FINDINGS,
  LANGUAGES,
} from "../../db/schema";
import { Connection } from "../../common/pagination";

export const Channel = graphqlEnum(
  CHANNELS,
  "Channel",
  "How a complaint or commendation reached the police.",
);
export type Channel = keyof typeof Channel;

export const ComplainantType = graphqlEnum(
  COMPLAINANT_TYPES,
  "ComplainantType",
  "The complainant's relation to the incident.",
);
export type ComplainantType = keyof typeof ComplainantType;

export const AllegationCategory = graphqlEnum(
  CATEGORIES,
  "AllegationCategory",
  "What an officer is accused of.",
);
export type AllegationCategory = keyof typeof AllegationCategory;

export const Finding = graphqlEnum(
  FINDINGS,
  "Finding",
  "A finding on the merits of an allegation.",
);
export type Finding = keyof typeof Finding;

export const ClosureReason = graphqlEnum(
  CLOSURE_REASONS,
  "ClosureReason",
  "Why an allegation ended without a finding on the merits.",
);
export type ClosureReason = keyof typeof ClosureReason;

export const CaseStatus = graphqlEnum(
  CASE_STATUSES,
  "CaseStatus",
  "Where a complaint stands in its handling (see the README's state machine).",
);
export type CaseStatus = keyof typeof CaseStatus;

export const Language = graphqlEnum(
  LANGUAGES,
  "Language",
  "Language of the system's messages to the complainant.",
);
export type Language = keyof typeof Language;

export enum ComplaintOutcome {
  UPHELD = "UPHELD",
  NOT_UPHELD = "NOT_UPHELD",
  CLOSED_WITHOUT_FINDING = "CLOSED_WITHOUT_FINDING",
}
registerEnumType(ComplaintOutcome, {
  name: "ComplaintOutcome",
  description: "What a closed complaint came to, as the complainant is told.",
  valuesConfig: {
    UPHELD: { description: "At least one allegation was sustained or showed a policy failure." },
    NOT_UPHELD: { description: "Allegations were decided on the merits and none was sustained." },
    CLOSED_WITHOUT_FINDING: {
      description:
        "Every allegation ended without a finding on the merits (withdrawn, mediated, ...).",
    },
  },
});

@ObjectType({
  description: "Proof of a submission: keep the tracking number and access code to follow it.",
})
export class ComplaintReceipt {
  @Field({
    description: "SNM-<year>-<6 digits>, sequential per year; quote it in letters and calls.",
  })
  trackingNumber: string;

  @Field({
    description:
      "Secret code that, with the tracking number, opens the complaint's status. Shown only here.",
  })
  accessCode: string;

  @Field({ description: "When the complaint was registered." })
  registeredAt: Date;

  @Field({ description: "When a response is due: 15 working days after registration." })
  responseDueAt: Date;
}

@ObjectType({ description: "A message to the complainant on the public timeline." })
export class PublicUpdate {
  @Field({ description: "When it was written." })
  at: Date;

  @Field({ description: "The message." })
  message: string;
}

@ObjectType({ description: "What the complainant sees with the tracking number and access code." })
export class ComplaintStatusView {
  @Field({ description: "The complaint's tracking number." })
  trackingNumber: string;

  @Field(() => CaseStatus, { description: "Where the complaint stands." })
  status: CaseStatus;

  @Field({ description: "When it was registered." })
  registeredAt: Date;

  @Field({ description: "When a response is due, including any extension." })
  responseDueAt: Date;

  @Field(() => Date, { nullable: true, description: "When it was closed; null while open." })
  closedAt: Date | null;

  @Field(() => ComplaintOutcome, {
    nullable: true,
    description: "What it came to; null while open.",
  })
  outcome: ComplaintOutcome | null;

  @Field(() => [PublicUpdate], { description: "Public messages, oldest first." })
  updates: PublicUpdate[];
}

@ObjectType({
  description: "The person who complained. Visible to INVESTIGATOR and SUPERVISOR only.",
})
export class Complainant {
  @Field(() => String, { nullable: true, description: "Full name; null once erased." })
  fullName: string | null;

  @Field(() => String, { nullable: true, description: "Email address, if given." })
  email: string | null;

  @Field(() => String, { nullable: true, description: "Phone number, if given." })
  phone: string | null;

  @Field(() => ComplainantType, { nullable: true, description: "Relation to the incident." })
  type: ComplainantType | null;
}

@ObjectType({ description: "One entry in a complaint's history." })
export class TimelineEntry {
  @Field({ description: "When it happened." })
  at: Date;

  @Field({
    description:
      "What happened: REGISTERED, ASSIGNED, INVESTIGATION_STARTED, ALLEGATION_ADDED, OFFICER_IDENTIFIED, FINDING_RECORDED, DEADLINE_EXTENDED, NOTE, SUBMITTED_FOR_REVIEW, CLOSED, REOPENED, COMPLAINANT_DATA_ERASED, FEEDBACK_RECEIVED.",
  })
  kind: string;

  @Field(() => String, {
    nullable: true,
    description: "Internal note (never shown to the complainant).",
  })
  note: string | null;

  @Field(() => String, { nullable: true, description: "Message shown to the complainant, if any." })
  publicMessage: string | null;

  actorId: string | null;
}

@ObjectType({ description: "One accusation against one officer (who may be identified later)." })
export class Allegation {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field(() => AllegationCategory, { description: "What the officer is accused of." })
  category: AllegationCategory;

  /** Read through AllegationResolver.description, which records the read of the citizen's words. */
  description: string | null;

  @Field(() => Finding, { nullable: true, description: "The investigator's recommended finding." })
  recommendedFinding: Finding | null;

  @Field(() => Finding, {
    nullable: true,
    description: "The final finding on the merits (set by a SUPERVISOR).",
  })
  finding: Finding | null;

  @Field(() => ClosureReason, {
    nullable: true,
    description: "Why it ended without a finding on the merits.",
  })
  closureReason: ClosureReason | null;

  @Field(() => String, {
    nullable: true,
    description: "Why the finding or closure reason was recorded.",
  })
  findingRationale: string | null;

  complaintId: string;
  officerId: string | null;
  unitAtIncidentId: string | null;
}

@ObjectType({ description: "A complaint's case file." })
export class Complaint {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field(() => Int, { description: "Increases with every change; pass it as expectedVersion." })
  version: number;

  @Field({ description: "SNM-<year>-<6 digits>." })
  trackingNumber: string;

  @Field(() => CaseStatus, { description: "Where the complaint stands." })
  status: CaseStatus;

  @Field(() => Channel, { description: "How it arrived." })
  channel: Channel;

  @Field(() => Language, { description: "Language of messages to the complainant." })
  language: Language;

  @Field({ description: "When it was registered." })
  registeredAt: Date;

  @Field({ description: "The original deadline: 15 working days after registration." })
  responseDueAt: Date;

  @Field(() => Date, { nullable: true, description: "The extended deadline, if extended." })
  extendedTo: Date | null;

  @Field(() => Date, { nullable: true, description: "When it was closed." })
  closedAt: Date | null;

  @Field({ description: "When the incident happened." })
  incidentAt: Date;

  @Field({ description: "True when the complaint was made without a complainant." })
  anonymous: boolean;

  /** Read through ComplaintResolver.incidentPlace, which records the read of the citizen's words. */
  incidentPlace: string | null;
  unitId: string;
  assigneeId: string | null;
  registeredBy: string | null;
  narrativeSealed: string;
  complainantType: string | null;
  complainantNameSealed: string | null;
  complainantEmailSealed: string | null;
  complainantPhoneSealed: string | null;
  complainantErasedAt: Date | null;
}

export const ComplaintConnection = Connection(Complaint, "Complaint", "complaint");
export const AllegationConnection = Connection(Allegation, "Allegation", "allegation");
