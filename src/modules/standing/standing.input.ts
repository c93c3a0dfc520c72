import { ArrayMaxSize, ArrayUnique, IsInt, IsOptional, Matches, Max, Min } from "class-validator";
import { Field, InputType, Int } from "type-graphql";
import { AllegationCategory } from "../complaint/complaint.type";

@InputType({ description: "Create or replace an early-warning rule (SUPERVISOR)." })
export class SetEarlyWarningRuleInput {
  @Field({ description: "Code: capital letters, digits and underscores, 3 to 40 characters." })
  @Matches(/^[A-Z0-9_]{3,40}$/, {
    message: "code must be 3 to 40 capital letters, digits or underscores",
  })
  code: string;

  @Field(() => [AllegationCategory], {
    description: "Categories counted; empty for every category.",
  })
  @ArrayMaxSize(13)
  @ArrayUnique({ message: "categories must not repeat" })
  categories: AllegationCategory[];

  @Field(() => Int, { description: "Window in days, 1 to 3650." })
  @IsInt()
  @Min(1, { message: "windowDays must be from 1 to 3650" })
  @Max(3650, { message: "windowDays must be from 1 to 3650" })
  windowDays: number;

  @Field(() => Int, {
    description: "Allegations in the window at which the rule fires, 1 to 1000.",
  })
  @IsInt()
  @Min(1, { message: "threshold must be from 1 to 1000" })
  @Max(1000, { message: "threshold must be from 1 to 1000" })
  threshold: number;

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the rule fires at all (default true).",
  })
  @IsOptional()
  active?: boolean | null;
}
