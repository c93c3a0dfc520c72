import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, arrayParam, list, prepared, type Db } from "../../db/client";
import { units, type UnitRow } from "../../db/schema";
import { byKey, groupByKey, primingLoader } from "../../common/loader";

const KEYS = sql.placeholder("keys");
/**
 * The units asked for and every ancestor of each (a district's region and the ministry): `parent` is then
 * already loaded, where it cost the officer profile a round trip of its own. The tree is a few hundred rows.
 */
const unitsWithAncestors = prepared((db) =>
  db
    .select()
    .from(units)
    .where(sql`exists (select 1 from units u where u.id = any(${arrayParam(KEYS)}) and starts_with(u.path, ${units.path}))`)
    .prepare(""),
);
const unitsByCode = prepared((db) => db.select().from(units).where(anyOf(units.code, KEYS)).prepare(""));
const unitsByParent = prepared((db) => db.select().from(units).where(anyOf(units.parentId, KEYS)).orderBy(asc(units.code)).prepare(""));

export const createUnitLoaders = (db: Db) => {
  const unitById: DataLoader<string, UnitRow | null> = primingLoader(
    (ids) => unitsWithAncestors(db, { keys: list(ids) }),
    (r) => r.id,
    (r) => unitById.prime(r.id, r),
  );
  return {
    unitById,
    unitByCode: new DataLoader<string, UnitRow | null>(async (codes) => byKey(codes, await unitsByCode(db, { keys: list(codes) }), (r) => r.code)),
    unitChildren: new DataLoader<string, UnitRow[]>(async (parentIds) =>
      groupByKey(parentIds, await unitsByParent(db, { keys: list(parentIds) }), (r) => r.parentId as string),
    ),
  };
};
