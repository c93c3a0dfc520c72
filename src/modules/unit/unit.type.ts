import { Field, ID, ObjectType } from "type-graphql";
import { graphqlEnum } from "../../common/enums";
import { UNIT_KINDS } from "../../db/schema";

export const UnitKind = graphqlEnum(
  UNIT_KINDS,
  "UnitKind",
  "Level in the tree: the ministry, a regional police department, or a district unit.",
);
export type UnitKind = keyof typeof UnitKind;

@ObjectType({
  description: "A police unit: the ministry (MVD), a regional department, or a district unit.",
})
export class Unit {
  @Field(() => ID, { description: "Stable identifier." })
  id: string;

  @Field({ description: "Stable code, e.g. MVD, KZ-AST (ISO 3166-2:KZ for regions), KZ-AST-ESIL." })
  code: string;

  @Field({ description: "Official name." })
  name: string;

  @Field(() => UnitKind, { description: "Level in the unit tree." })
  kind: UnitKind;

  /** Resolved by UnitResolver. */
  parentId: string | null;
}
