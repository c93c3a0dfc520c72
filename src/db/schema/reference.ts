import { boolean, date, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/** Officer ranks in order of seniority, named in the three working languages. */
export const ranks = pgTable("ranks", {
  code: text().primaryKey(),
  seniority: integer().notNull().unique(),
  nameKk: text().notNull(),
  nameRu: text().notNull(),
  nameEn: text().notNull(),
});

/** Disciplinary penalties a review may decide; severity orders them. */
export const penalties = pgTable("penalties", {
  code: text().primaryKey(),
  severity: integer().notNull(),
  nameKk: text().notNull(),
  nameRu: text().notNull(),
  nameEn: text().notNull(),
});

/** Early-warning rules are data so that supervisors can tune them without a release. */
export const earlyWarningRules = pgTable("early_warning_rules", {
  code: text().primaryKey(),
  /** Empty means every category. */
  categories: text().array().notNull().default([]),
  windowDays: integer().notNull(),
  threshold: integer().notNull(),
  active: boolean().notNull().default(true),
});

/** Non-working days used for response deadlines (working days skip these and weekends). */
export const publicHolidays = pgTable(
  "public_holidays",
  { day: date().notNull(), name: text().notNull() },
  (t) => [primaryKey({ columns: [t.day] })],
);
