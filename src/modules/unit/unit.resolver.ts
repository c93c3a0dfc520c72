import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../../context";
import { CreateUnitInput } from "./unit.input";
import { createUnit, listUnits } from "./unit.service";
import { Unit } from "./unit.type";
import type { UnitRow } from "../../db/schema";

@ObjectType({ description: "Result of createUnit." })
class CreateUnitPayload {
  @Field(() => Unit, { description: "The unit as created." })
  unit: Unit;
}

@Resolver(() => Unit)
export class UnitResolver {
  @Query(() => [Unit], {
    description:
      "A unit's child units; without parentCode, the 20 regional departments under the ministry.",
  })
  units(
    @Arg("parentCode", () => String, { nullable: true }) parentCode: string | null,
    @Ctx() ctx: Context,
  ) {
    return listUnits(ctx, parentCode);
  }

  @Mutation(() => CreateUnitPayload, {
    description: "Create a unit under an existing one (ADMIN).",
  })
  async createUnit(
    @Arg("input") input: CreateUnitInput,
    @Ctx() ctx: Context,
  ): Promise<CreateUnitPayload> {
    return { unit: await createUnit(ctx, input) };
  }

  @FieldResolver(() => Unit, {
    nullable: true,
    description: "The unit above this one; null for the ministry.",
  })
  parent(@Root() unit: UnitRow, @Ctx() { loaders }: Context) {
    return unit.parentId ? loaders.unitById.load(unit.parentId) : null;
  }

  @FieldResolver(() => [Unit], { description: "Units directly below this one, by code." })
  children(@Root() unit: UnitRow, @Ctx() { loaders }: Context) {
    return loaders.unitChildren.load(unit.id);
  }
}
