import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { units, type UnitRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const KEYS = sql.placeholder("keys");
const unitsById = prepared((db) => db.select().from(units).where(anyOf(units.id, KEYS)).prepare(""));
const unitsByCode = prepared((db) => db.select().from(units).where(anyOf(units.code, KEYS)).prepare(""));
const unitsByParent = prepared((db) => db.select().from(units).where(anyOf(units.parentId, KEYS)).orderBy(asc(units.code)).prepare(""));

export const createUnitLoaders = (db: Db) => ({
  unitById: new DataLoader<string, UnitRow | null>(async (ids) => byKey(ids, await unitsById(db, { keys: list(ids) }), (r) => r.id)),
  unitByCode: new DataLoader<string, UnitRow | null>(async (codes) => byKey(codes, await unitsByCode(db, { keys: list(codes) }), (r) => r.code)),
  unitChildren: new DataLoader<string, UnitRow[]>(async (parentIds) =>
    groupByKey(parentIds, await unitsByParent(db, { keys: list(parentIds) }), (r) => r.parentId as string),
  ),
});
