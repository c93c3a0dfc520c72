import DataLoader from "dataloader";
import { asc } from "drizzle-orm";
import { anyOf, type Db } from "../../db/client";
import { units, type UnitRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

export const createUnitLoaders = (db: Db) => ({
  unitById: new DataLoader<string, UnitRow | null>(async (ids) =>
    byKey(ids, await db.select().from(units).where(anyOf(units.id, ids)), (r) => r.id),
  ),
  unitByCode: new DataLoader<string, UnitRow | null>(async (codes) =>
    byKey(codes, await db.select().from(units).where(anyOf(units.code, codes)), (r) => r.code),
  ),
  unitChildren: new DataLoader<string, UnitRow[]>(async (parentIds) =>
    groupByKey(
      parentIds,
      await db.select().from(units).where(anyOf(units.parentId, parentIds)).orderBy(asc(units.code)),
      (r) => r.parentId as string,
    ),
  ),
});
