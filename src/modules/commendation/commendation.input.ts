import {
  IsEmail,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from "class-validator";
import { NO_NUL, TEXT } from "../../common/validation";
import { Field, ID, InputType } from "type-graphql";
import { BADGE_NUMBER, PERSON_NAME } from "../officer/officer.input";
import { UNIT_CODE } from "../unit/unit.input";
import { OfficerRefInput } from "../complaint/complaint.input";
import { Channel } from "../complaint/complaint.type";
import { CommendationStatus, CommendationType } from "./commendation.type";

const MAX_COMMENDATION_NARRATIVE = 10_000;

@InputType({ description: "Who sends the thanks; every field optional." })
export class CommendationSubmitterInput {
  @Field(() => String, { nullable: true, description: "Full name, 2 to 200 characters." })
  @IsOptional()
  @Length(2, 200, { message: "fullName must be 2 to 200 characters" })
  @Matches(PERSON_NAME, {
    message: "fullName must be printable text without leading or trailing spaces",
  })
  fullName?: string | null;

  @Field(() => String, { nullable: true, description: "Email address." })
  @IsOptional()
  @MaxLength(254, { message: "email must be at most 254 characters" })
  @IsEmail({}, { message: "email is not an email address" })
  email?: string | null;

  @Field(() => String, { nullable: true, description: "Phone number." })
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 ()-]{4,19}$/, { message: "phone is not a phone number" })
  phone?: string | null;
}

@InputType({ description: "A citizen's commendation as a form sends it." })
export class SubmitCommendationInput {
  @Field({ description: "A UUID the form generates once and re-sends on every retry." })
  @IsUUID("all", { message: "idempotencyKey must be a UUID" })
  idempotencyKey: string;

  @Field(() => Channel, { description: "How it arrived." })
  channel: Channel;

  @Field(() => OfficerRefInput, {
    description: "The officer: badge number, or a description when unknown.",
  })
  @ValidateNested()
  officer: OfficerRefInput;

  @Field({ description: "When it happened; not in the future." })
  occurredAt: Date;

  @Field({ description: `What the officer did, 1 to ${MAX_COMMENDATION_NARRATIVE} characters.` })
  @Length(1, MAX_COMMENDATION_NARRATIVE, {
    message: `narrative must be 1 to ${MAX_COMMENDATION_NARRATIVE} characters`,
  })
  @Matches(/\S/, { message: "narrative must not be blank" })
  @Matches(TEXT, NO_NUL)
  narrative: string;

  @Field(() => CommendationSubmitterInput, {
    nullable: true,
    description: "Who sends it; omit to stay anonymous.",
  })
  @IsOptional()
  @ValidateNested()
  submitter?: CommendationSubmitterInput | null;
}

@InputType({ description: "A supervisor's decision on a submitted commendation." })
export class ReviewCommendationInput {
  @Field(() => ID, { description: "The commendation." })
  @IsUUID("all", { message: "commendationId is not an id" })
  commendationId: string;

  @Field(() => String, {
    nullable: true,
    description: "Badge number of the officer, to identify one the citizen could only describe.",
  })
  @IsOptional()
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge?: string | null;

  @Field(() => String, { nullable: true, description: "Why, up to 2000 characters (internal)." })
  @IsOptional()
  @MaxLength(2000)
  @Matches(TEXT, NO_NUL)
  note?: string | null;
}

@InputType({ description: "A supervisor's own commendation or award, verified on entry." })
export class RecordCommendationInput {
  @Field({ description: "Badge number of the officer." })
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge: string;

  @Field(() => CommendationType, { description: "What it is for (not CITIZEN_COMPLIMENT)." })
  type: CommendationType;

  @Field({ description: "When it happened; not in the future." })
  occurredAt: Date;

  @Field({ description: `What the officer did, 1 to ${MAX_COMMENDATION_NARRATIVE} characters.` })
  @Length(1, MAX_COMMENDATION_NARRATIVE, {
    message: `narrative must be 1 to ${MAX_COMMENDATION_NARRATIVE} characters`,
  })
  @Matches(/\S/, { message: "narrative must not be blank" })
  @Matches(TEXT, NO_NUL)
  narrative: string;
}

@InputType({ description: "Which commendations to list." })
export class CommendationFilter {
  @Field(() => CommendationStatus, {
    nullable: true,
    description: "Only commendations in this status.",
  })
  @IsOptional()
  status?: CommendationStatus | null;

  @Field(() => String, {
    nullable: true,
    description: "Only commendations for work done in this unit or below it.",
  })
  @IsOptional()
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode?: string | null;

  @Field(() => String, { nullable: true, description: "Only commendations of this officer." })
  @IsOptional()
  @Matches(BADGE_NUMBER, { message: "officerBadge is not a badge number" })
  officerBadge?: string | null;

  @Field(() => CommendationType, {
    nullable: true,
    description: "Only commendations of this type.",
  })
  @IsOptional()
  type?: CommendationType | null;
}
