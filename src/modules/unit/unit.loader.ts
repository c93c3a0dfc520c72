import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, arrayParam, byKeys, type Db } from "../../db/client";
import { units, type UnitRow } from "../../db/schema";
import { byKey, groupByKey, primingLoader } from "../../common/loader";

/**
 * The units asked for and every ancestor of each (a district's region and the ministry): `parent` is then
 * already loaded, where it cost the officer profile a round trip of its own. The tree is a few hundred rows.
 */
const unitsWithAncestors = byKeys((db, keys) =>
  db
    .select()
    .from(units)
    .where(
      sql`exists (select 1 from units u where u.id = any(${arrayParam(keys)}) and starts_with(u.path, ${units.path}))`,
    )
    .prepare(""),
);
const unitsByCode = byKeys((db, keys) =>
  db.select().from(units).where(anyOf(units.code, keys)).prepare(""),
);
const unitsByParent = byKeys((db, keys) =>
  db.select().from(units).where(anyOf(units.parentId, keys)).orderBy(asc(units.code)).prepare(""),
);

export const createUnitLoaders = (db: Db) => {
  const unitById: DataLoader<string, UnitRow | null> = primingLoader(
    (ids) => unitsWithAncestors(db, ids),
    (r) => r.id,
    (r) => unitById.prime(r.id, r),
  );
  return {
    unitById,
    unitByCode: new DataLoader<string, UnitRow | null>(async (codes) =>
      byKey(codes, await unitsByCode(db, codes), (r) => r.code),
    ),
    unitChildren: new DataLoader<string, UnitRow[]>(async (parentIds) =>
      groupByKey(parentIds, await unitsByParent(db, parentIds), (r) => r.parentId as string),
    ),
  };
};
