import { sql } from "drizzle-orm";
import { check, date, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { ranks } from "./reference";
import { units } from "./unit";

export const OFFICER_STATUSES = [
  "ACTIVE",
  "SUSPENDED",
  "ON_LEAVE",
  "DISMISSED",
  "RETIRED",
] as const;
export type OfficerStatus = (typeof OFFICER_STATUSES)[number];
/** Statuses of officers who have left the force: their standing is SEPARATED, and they cannot be transferred. */
export const LEFT_THE_FORCE: readonly OfficerStatus[] = ["DISMISSED", "RETIRED"];

export const officers = pgTable(
  "officers",
  {
    id: uuid().primaryKey().defaultRandom(),
    badgeNumber: text().notNull().unique(),
    fullName: text().notNull(),
    rank: text()
      .notNull()
      .references(() => ranks.code),
    status: text({ enum: OFFICER_STATUSES }).notNull().default("ACTIVE"),
    hiredAt: date({ mode: "string" }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A unit's page of officers by badge number, from the indexes alone: the district's serving officers
    // are sorted by badge through (id, badge) and only the page's rows are read; a region's are walked in
    // badge order through (badge, id), each probed in officer_assignments_officer_idx.
    index("officers_id_badge_idx").on(t.id, t.badgeNumber),
    index("officers_badge_id_idx").on(t.badgeNumber, t.id),
    check(
      "officers_status_check",
      sql`${t.status} in ('ACTIVE', 'SUSPENDED', 'ON_LEAVE', 'DISMISSED', 'RETIRED')`,
    ),
  ],
);

/** Where an officer served and when: [fromDate, toDate), toDate null for the open assignment. */
export const officerAssignments = pgTable(
  "officer_assignments",
  {
    id: uuid().primaryKey().defaultRandom(),
    officerId: uuid()
      .notNull()
      .references(() => officers.id),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    fromDate: date({ mode: "string" }).notNull(),
    toDate: date({ mode: "string" }),
  },
  (t) => [
    // Covering: whether an officer serves in a unit on a day is answered from the index alone.
    index("officer_assignments_officer_idx").on(t.officerId, t.fromDate, t.toDate, t.unitId),
    // Covering: who serves in a unit on a day is answered from the index alone (rosters, counts, standings).
    index("officer_assignments_unit_idx").on(t.unitId, t.fromDate, t.toDate, t.officerId),
    check(
      "officer_assignments_range_check",
      sql`${t.toDate} is null or ${t.toDate} > ${t.fromDate}`,
    ),
  ],
);

/** Status changes with their reasons, so HR history is not lost on overwrite. */
export const officerStatusChanges = pgTable(
  "officer_status_changes",
  {
    id: uuid().primaryKey().defaultRandom(),
    officerId: uuid()
      .notNull()
      .references(() => officers.id),
    fromStatus: text().notNull(),
    toStatus: text().notNull(),
    reason: text(),
    changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    changedBy: uuid(),
  },
  (t) => [index("officer_status_changes_officer_idx").on(t.officerId)],
);

export type OfficerRow = typeof officers.$inferSelect;
export type AssignmentRow = typeof officerAssignments.$inferSelect;
