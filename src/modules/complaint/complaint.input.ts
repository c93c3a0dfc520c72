import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsEmail,
  IsInt,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { NO_NUL, TEXT } from "../../common/validation";
import { BADGE_NUMBER, PERSON_NAME } from "../officer/officer.input";
import { UNIT_CODE } from "../unit/unit.input";
import {
  AllegationCategory,
  Channel,
  ClosureReason,
  ComplainantType,
  Finding,
  Language,
  CaseStatus,
} from "./complaint.type";

const MAX_NARRATIVE = 20_000;
const MAX_FORM_OFFICERS = 10;

@InputType({
  description: "An officer named on a form: by badge number when known, otherwise described.",
})
export class OfficerRefInput {
  @Field(() => String, { nullable: true, description: "Badge number, if known." })
  @IsOptional()
  @Matches(BADGE_NUMBER, { message: "badgeNumber is not a badge number" })
  badgeNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "What identifies the officer when the badge is unknown, up to 1000 characters.",
  })
  @IsOptional()
  @Length(1, 1000, { message: "description must be 1 to 1000 characters" })
  @Matches(TEXT, NO_NUL)
  description?: string | null;
}

@InputType({ description: "Who is complaining. Omit for an anonymous complaint." })
export class ComplainantInput {
  @Field({ description: "Full name, 2 to 200 characters." })
  @Length(2, 200, { message: "fullName must be 2 to 200 characters" })
  @Matches(PERSON_NAME, {
    message: "fullName must be printable text without leading or trailing spaces",
  })
  fullName: string;

  @Field(() => String, { nullable: true, description: "Email address for replies." })
  @IsOptional()
  @MaxLength(254, { message: "email must be at most 254 characters" })
  @IsEmail({}, { message: "email is not an email address" })
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Phone number, digits with an optional leading +.",
  })
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 ()-]{4,19}$/, { message: "phone is not a phone number" })
  phone?: string | null;

  @Field(() => ComplainantType, { description: "Relation to the incident." })
  type: ComplainantType;
}

@InputType({
  description: "A complaint as a form sends it. Every officer and category becomes an allegation.",
})
export class SubmitComplaintInput {
  @Field({
    description: "A UUID the form generates once per complaint and re-sends on every retry.",
  })
  @IsUUID("all", { message: "idempotencyKey must be a UUID" })
  idempotencyKey: string;

  @Field(() => Channel, { description: "How the complaint arrived." })
  channel: Channel;

  @Field({ description: "When the incident happened; not in the future." })
  incidentAt: Date;

  @Field(() => String, { nullable: true, description: "Where it happened, up to 500 characters." })
  @IsOptional()
  @Length(1, 500, { message: "incidentPlace must be 1 to 500 characters" })
  @Matches(TEXT, NO_NUL)
  incidentPlace?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Region or district where it happened; by default the unit of the first officer named by badge, else MVD.",
  })
  @IsOptional()
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode?: string | null;

  @Field({
    description: `What happened, in the complainant's words: 1 to ${MAX_NARRATIVE} characters.`,
  })
  @Length(1, MAX_NARRATIVE, { message: `narrative must be 1 to ${MAX_NARRATIVE} characters` })
  @Matches(/\S/, { message: "narrative must not be blank" })
  @Matches(TEXT, NO_NUL)
  narrative: string;

  @Field(() => [AllegationCategory], {
    description: "What the officers are accused of: at least one, no repeats.",
  })
  @ArrayMinSize(1, { message: "categories needs at least one category" })
  @ArrayUnique({ message: "categories must not repeat" })
  categories: AllegationCategory[];

  @Field(() => [OfficerRefInput], {
    nullable: true,
    description: `Officers involved, up to ${MAX_FORM_OFFICERS}; none when unknown.`,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_FORM_OFFICERS, {
    message: `officers may list at most ${MAX_FORM_OFFICERS} officers`,
  })
  @ValidateNested()
  officers?: OfficerRefInput[] | null;

  @Field(() => ComplainantInput, {
    nullable: true,
    description: "The complainant; omit for an anonymous complaint.",
  })
  @IsOptional()
  @ValidateNested()
  complainant?: ComplainantInput | null;

  @Field(() => Language, {
    nullable: true,
    description: "Language for messages to the complainant (default RU).",
  })
  @IsOptional()
  language?: Language | null;
}

@InputType({ description: "The complainant's rating of how the complaint was handled." })
export class SubmitComplaintFeedbackInput {
  @Field({ description: "The complaint's tracking number." })
  @MaxLength(32)
  trackingNumber: string;

  @Field({ description: "The access code from the receipt." })
  @MaxLength(64)
  accessCode: string;

  @Field(() => Int, { description: "1 (very poor) to 5 (very good)." })
  @IsInt()
  @Min(1, { message: "rating must be from 1 to 5" })
  @Max(5, { message: "rating must be from 1 to 5" })
  rating: number;

  @Field(() => String, { nullable: true, description: "Optional comment, up to 2000 characters." })
  @IsOptional()
  @MaxLength(2000, { message: "comment must be at most 2000 characters" })
  @Matches(TEXT, NO_NUL)
  comment?: string | null;
}

@InputType({ description: "Which complaints to list in the case queue." })
export class ComplaintFilter {
  @Field(() => [CaseStatus], {
    nullable: true,
    description: "Only complaints in one of these statuses.",
  })
  @IsOptional()
  status?: CaseStatus[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Only the complaint with this tracking number (from a letter or a call).",
  })
  @IsOptional()
  @MaxLength(32)
  trackingNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Only complaints about this unit or any unit below it.",
  })
  @IsOptional()
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "true: only open complaints past the deadline in force; false: only complaints that are not overdue (within the deadline, or closed).",
  })
  @IsOptional()
  overdue?: boolean | null;

  @Field(() => AllegationCategory, {
    nullable: true,
    description: "Only complaints with an allegation in this category.",
  })
  @IsOptional()
  category?: AllegationCategory | null;

  @Field(() => String, {
    nullable: true,
    description: "Only complaints with an allegation against this officer.",
  })
  @IsOptional()
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge?: string | null;

  @Field(() => ID, { nullable: true, description: "Only complaints assigned to this principal." })
  @IsOptional()
  @IsUUID("all", { message: "assigneeId is not an id" })
  assigneeId?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: "Only complaints registered at or after this time.",
  })
  @IsOptional()
  registeredFrom?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: "Only complaints registered before this time.",
  })
  @IsOptional()
  registeredTo?: Date | null;
}

const version = () =>
  Field(() => Int, {
    description: "The version you last saw; a stale one gives CONFLICT and changes nothing.",
  });
const optionalVersion = () =>
  Field(() => Int, {
    nullable: true,
    description: "The version you last saw; when given, a stale one gives CONFLICT.",
  });
const note = (what: string) =>
  Field(() => String, { nullable: true, description: `${what}, up to 5000 characters.` });

@InputType({ description: "Move a complaint to its next status." })
export class ComplaintTransitionInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @version()
  expectedVersion: number;

  @note("Internal note for the timeline")
  @IsOptional()
  @MaxLength(5000)
  @Matches(TEXT, NO_NUL)
  note?: string | null;
}

@InputType({ description: "Give a complaint to an investigator." })
export class AssignComplaintInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @Field(() => ID, { description: "The INVESTIGATOR or SUPERVISOR principal who will handle it." })
  @IsUUID("all", { message: "assigneeId is not an id" })
  assigneeId: string;

  @version()
  expectedVersion: number;
}

@InputType({ description: "Add an allegation found during the investigation." })
export class AddAllegationInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @Field(() => String, { nullable: true, description: "The officer's badge number, when known." })
  @IsOptional()
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge?: string | null;

  @Field(() => AllegationCategory, { description: "What the officer is accused of." })
  category: AllegationCategory;

  @Field(() => String, { nullable: true, description: "Details, up to 5000 characters." })
  @IsOptional()
  @MaxLength(5000)
  @Matches(TEXT, NO_NUL)
  description?: string | null;

  @optionalVersion()
  expectedVersion?: number | null;
}

@InputType({ description: "Name the officer an allegation is about." })
export class IdentifyOfficerInput {
  @Field(() => ID, { description: "The allegation." })
  @IsUUID("all", { message: "allegationId is not an id" })
  allegationId: string;

  @Field({ description: "The officer's badge number." })
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge: string;

  @optionalVersion()
  expectedVersion?: number | null;
}

@InputType({
  description: "Record a finding on the merits, or a closure reason, with the rationale.",
})
export class RecordFindingInput {
  @Field(() => ID, { description: "The allegation." })
  @IsUUID("all", { message: "allegationId is not an id" })
  allegationId: string;

  @Field(() => Finding, {
    nullable: true,
    description: "A finding on the merits (exclusive with closureReason).",
  })
  @IsOptional()
  finding?: Finding | null;

  @Field(() => ClosureReason, {
    nullable: true,
    description: "Why it ends without a finding (exclusive with finding).",
  })
  @IsOptional()
  closureReason?: ClosureReason | null;

  // A decision with no written reason could not be reviewed or appealed (DESIGN.md section 4).
  @Field({ description: "Why, 1 to 5000 characters." })
  @Length(1, 5000, { message: "rationale must be 1 to 5000 characters" })
  @Matches(/\S/, { message: "rationale must not be blank" })
  @Matches(TEXT, NO_NUL)
  rationale: string;

  @optionalVersion()
  expectedVersion?: number | null;
}

@InputType({
  description: "Extend the response deadline once, up to 2 calendar months after registration.",
})
export class ExtendResponseDeadlineInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @version()
  expectedVersion: number;

  @Field({ description: "The new deadline." })
  until: Date;

  @Field({ description: "Why more time is needed, 1 to 2000 characters (internal)." })
  @Length(1, 2000, { message: "reason must be 1 to 2000 characters" })
  @Matches(TEXT, NO_NUL)
  reason: string;
}

@InputType({ description: "An internal note, with an optional message to the complainant." })
export class AddCaseNoteInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @Field({ description: "Internal note, 1 to 5000 characters." })
  @Length(1, 5000, { message: "note must be 1 to 5000 characters" })
  @Matches(TEXT, NO_NUL)
  note: string;

  @Field(() => String, {
    nullable: true,
    description: "Message for the complainant's public timeline, up to 2000 characters.",
  })
  @IsOptional()
  @Length(1, 2000, { message: "publicMessage must be 1 to 2000 characters" })
  @Matches(TEXT, NO_NUL)
  publicMessage?: string | null;

  @optionalVersion()
  expectedVersion?: number | null;
}

@InputType({ description: "Close a complaint, with an optional message to the complainant." })
export class CloseComplaintInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @version()
  expectedVersion: number;

  @Field(() => String, {
    nullable: true,
    description: "Message for the complainant, up to 2000 characters.",
  })
  @IsOptional()
  @Length(1, 2000, { message: "publicMessage must be 1 to 2000 characters" })
  @Matches(TEXT, NO_NUL)
  publicMessage?: string | null;
}

@InputType({ description: "Destroy a complainant's personal data for good." })
export class EraseComplainantDataInput {
  @Field(() => ID, { description: "The complaint." })
  @IsUUID("all", { message: "complaintId is not an id" })
  complaintId: string;

  @Field({ description: "Legal ground, 1 to 2000 characters (kept on the internal timeline)." })
  @Length(1, 2000, { message: "reason must be 1 to 2000 characters" })
  @Matches(TEXT, NO_NUL)
  reason: string;
}
