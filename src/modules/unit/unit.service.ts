import { eq } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { units, type UnitKind, type UnitRow } from "../../db/schema";
import { badInput, notFound } from "../../errors";
import { isUniqueViolation } from "../../db/errors";
import type { CreateUnitInput } from "./unit.input";

const CHILD_KIND: Partial<Record<UnitKind, UnitKind>> = { MINISTRY: "REGION", REGION: "DISTRICT" };

/** Children of a unit; without a code, the ministry's (the regional departments). */
export async function listUnits(ctx: Context, parentCode?: string | null): Promise<UnitRow[]> {
  const parent = await ctx.loaders.unitByCode.load(parentCode ?? "MVD");
  if (!parent) throw notFound("Unit");
  return ctx.loaders.unitChildren.load(parent.id);
}

export async function createUnit(ctx: Context, input: CreateUnitInput): Promise<UnitRow> {
  return inTransaction(ctx, async (tx, audit) => {
    const [parent] = await tx.select().from(units).where(eq(units.code, input.parentCode));
    if (!parent) throw badInput("input.parentCode", "no unit has this code");
    const kind = CHILD_KIND[parent.kind];
    if (!kind) throw badInput("input.parentCode", "district units cannot have child units");
    const [existing] = await tx
      .select({ id: units.id })
      .from(units)
      .where(eq(units.code, input.code));
    if (existing) throw badInput("input.code", "a unit with this code already exists");
    const [unit] = await tx
      .insert(units)
      .values({
        code: input.code,
        name: input.name.trim(),
        kind,
        parentId: parent.id,
        path: `${parent.path}${input.code}/`,
      })
      .returning()
      .catch((e: unknown) => {
        throw isUniqueViolation(e)
          ? badInput("input.code", "a unit with this code already exists")
          : e;
      });
    audit({ action: "createUnit", entity: "Unit", entityId: unit.id, input });
    return unit;
  });
}
