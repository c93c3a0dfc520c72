import { ArrayMaxSize, IsOptional, Length, Matches, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { DateScalar } from "../../common/scalars";
import { UNIT_CODE } from "../unit/unit.input";
import { OfficerStatus } from "./officer.type";

export const BADGE_NUMBER = /^[A-Z0-9][A-Z0-9-]{2,31}$/;
export const RANK_CODE = /^[A-Z_]{2,40}$/;
/**
 * Names are printable text: no control characters (NUL included), no half of a surrogate pair (the
 * roster import's jsonb refuses one) and no stray surrounding spaces.
 */
export const PERSON_NAME = /^[^\p{Cc}\p{Cs}\s](?:[^\p{Cc}\p{Cs}]*[^\p{Cc}\p{Cs}\s])?$/u;
export const MAX_IMPORT_ROWS = 1000;

@InputType({ description: "A new officer record." })
export class CreateOfficerInput {
  @Field({ description: "Badge number: capital letters, digits and hyphens, 3 to 32 characters." })
  @Matches(BADGE_NUMBER, {
    message: "badgeNumber must be 3 to 32 capital letters, digits or hyphens",
  })
  badgeNumber: string;

  @Field({ description: "Full name, 2 to 200 characters." })
  @Length(2, 200, { message: "fullName must be 2 to 200 characters" })
  @Matches(PERSON_NAME, {
    message: "fullName must be printable text without leading or trailing spaces",
  })
  fullName: string;

  @Field({ description: "Rank code from `ranks`." })
  @Matches(RANK_CODE, { message: "rank is not a rank code" })
  rank: string;

  @Field({ description: "Code of the unit the officer serves in." })
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode: string;

  @Field(() => DateScalar, { description: "Date the officer joined the force; not in the future." })
  hiredAt: string;
}

@InputType({
  description: "One roster row: creates the officer, or updates the one with this badge number.",
})
export class OfficerRowInput extends CreateOfficerInput {
  @Field(() => OfficerStatus, {
    nullable: true,
    description: "Service status; left unchanged (or ACTIVE for a new officer) when absent.",
  })
  @IsOptional()
  status?: OfficerStatus | null;
}

// Rows are not validated with the argument: the service checks each one so that errors come back as data.
@InputType({ description: "A roster to import: all rows are written, or none." })
export class ImportOfficersInput {
  @Field(() => [OfficerRowInput], { description: `Up to ${MAX_IMPORT_ROWS} rows.` })
  @ArrayMaxSize(MAX_IMPORT_ROWS, {
    message: `officers may hold at most ${MAX_IMPORT_ROWS} rows per import`,
  })
  officers: OfficerRowInput[];
}

@InputType({
  description: "Move an officer to another unit; the assignment history keeps the old one.",
})
export class TransferOfficerInput {
  @Field({ description: "Badge number of the officer." })
  @Matches(BADGE_NUMBER, { message: "badgeNumber is not a badge number" })
  badgeNumber: string;

  @Field({ description: "Code of the new unit." })
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: "First day in the new unit (default today); may be up to a year ahead.",
  })
  effectiveFrom?: string | null;
}

@InputType({ description: "Change an officer's service status, with the reason for the record." })
export class ChangeOfficerStatusInput {
  @Field({ description: "Badge number of the officer." })
  @Matches(BADGE_NUMBER, { message: "badgeNumber is not a badge number" })
  badgeNumber: string;

  @Field(() => OfficerStatus, { description: "The new status." })
  status: OfficerStatus;

  @Field({ description: "Why, for the record (an order number, say), 1 to 1000 characters." })
  @Length(1, 1000, { message: "reason must be 1 to 1000 characters" })
  @Matches(/^[^\0]*$/, { message: "reason must not contain NUL characters" })
  reason: string;
}

@InputType({ description: "Which officers to list." })
export class OfficerFilter {
  @Field(() => String, {
    nullable: true,
    description: "Only officers currently serving in this unit or any unit below it.",
  })
  @IsOptional()
  @Matches(UNIT_CODE, { message: "unitCode is not a unit code" })
  unitCode?: string | null;

  @Field(() => [OfficerStatus], {
    nullable: true,
    description: "Only officers with one of these statuses.",
  })
  @IsOptional()
  @ArrayMaxSize(5)
  status?: OfficerStatus[] | null;

  @Field(() => String, { nullable: true, description: "Only officers of this rank." })
  @IsOptional()
  @Matches(RANK_CODE, { message: "rank is not a rank code" })
  rank?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive text found in the name or badge number, up to 100 characters.",
  })
  @IsOptional()
  @MaxLength(100, { message: "search must be at most 100 characters" })
  @Matches(/^[^\0]*$/, { message: "search must not contain NUL characters" })
  search?: string | null;
}
