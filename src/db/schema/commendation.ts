import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { principals } from "./auth";
import { CHANNELS } from "./complaint";
import { officers } from "./officer";
import { units } from "./unit";

export const COMMENDATION_TYPES = [
  "CITIZEN_COMPLIMENT",
  "SUPERVISOR_COMMENDATION",
  "AWARD",
  "LIFE_SAVING",
  "COMMUNITY_SERVICE",
] as const;
export const COMMENDATION_STATUSES = ["SUBMITTED", "VERIFIED", "REJECTED"] as const;

/**
 * Thanks and awards for officers; only VERIFIED ones count anywhere. What the citizen typed and the reviewer's
 * note are sealed by the commendation's own data key, like a complaint's.
 */
export const commendations = pgTable(
  "commendations",
  {
    id: uuid().primaryKey().defaultRandom(),
    trackingNumber: text().notNull().unique(),
    type: text({ enum: COMMENDATION_TYPES }).notNull(),
    status: text({ enum: COMMENDATION_STATUSES }).notNull().default("SUBMITTED"),
    officerId: uuid().references(() => officers.id),
    officerDescriptionSealed: text("officer_description"),
    /** The officer's unit when it happened, so figures follow where the good work was done. */
    unitId: uuid().references(() => units.id),
    channel: text({ enum: CHANNELS }),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    narrativeSealed: text().notNull(),
    submitterNameSealed: text(),
    submitterEmailSealed: text(),
    submitterPhoneSealed: text(),
    registeredAt: timestamp({ withTimezone: true }).notNull(),
    recordedBy: uuid().references(() => principals.id),
    reviewedBy: uuid().references(() => principals.id),
    reviewedAt: timestamp({ withTimezone: true }),
    reviewNoteSealed: text("review_note"),
    /** This commendation's data key, wrapped by the key ring; null only before it is sealed. */
    dataKey: text(),
  },
  (t) => [
    // With the id, an officer's history page (newest first, ties by id) is one backward index range.
    index("commendations_officer_idx").on(t.officerId, t.occurredAt, t.id),
    index("commendations_status_idx").on(t.status, t.registeredAt),
    index("commendations_unit_idx").on(t.unitId, t.occurredAt),
    index("commendations_unsealed_idx")
      .on(t.id)
      .where(sql`${t.dataKey} is null`),
  ],
);

export type CommendationRow = typeof commendations.$inferSelect;
