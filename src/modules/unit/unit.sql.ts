import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { units } from "../../db/schema";

/** `unitId` is the unit with this path or one below it: a subtree is one prefix scan of units_path_idx. */
export const inUnitSubtree = (unitId: SQL | PgColumn, path: string) =>
  sql`${unitId} in (select id from ${units} where path like ${`${path}%`})`;
