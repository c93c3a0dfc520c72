import { sql } from "drizzle-orm";
import {
  check,
  index,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

export const UNIT_KINDS = ["MINISTRY", "REGION", "DISTRICT"] as const;

export const units = pgTable(
  "units",
  {
    id: uuid().primaryKey().defaultRandom(),
    code: text().notNull().unique(),
    name: text().notNull(),
    kind: text({ enum: UNIT_KINDS }).notNull(),
    parentId: uuid().references((): AnyPgColumn => units.id),
    /** Materialised path of codes, "/MVD/KZ-AST/KZ-AST-ESIL/", so a subtree is one prefix scan. */
    path: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("units_parent_idx").on(t.parentId),
    index("units_path_idx").using("btree", sql`${t.path} text_pattern_ops`),
    check("units_kind_check", sql`${t.kind} in ('MINISTRY', 'REGION', 'DISTRICT')`),
  ],
);

export type UnitRow = typeof units.$inferSelect;
export type UnitKind = UnitRow["kind"];
