import { Length, Matches } from "class-validator";
import { Field, InputType } from "type-graphql";

export const UNIT_CODE = /^[A-Z0-9][A-Z0-9-]{1,39}$/;

@InputType({
  description: "A new unit under an existing one (a district under a region, usually).",
})
export class CreateUnitInput {
  @Field({ description: "Unique code: capital letters, digits and hyphens, 2 to 40 characters." })
  @Matches(UNIT_CODE, { message: "code must be 2 to 40 capital letters, digits or hyphens" })
  code: string;

  @Field({ description: "Official name, 2 to 200 characters." })
  @Length(2, 200, { message: "name must be 2 to 200 characters" })
  name: string;

  @Field({ description: "Code of the parent unit: MVD for a new region, a region for a district." })
  @Matches(UNIT_CODE, { message: "parentCode is not a unit code" })
  parentCode: string;
}
