import { sql } from "drizzle-orm";
import {
  check,
  date,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { units } from "./unit";

/*
 * Roll-ups behind trustMetrics. Written only by the statement-level triggers of migration 0006
 * (metrics_add), in the same transaction as the rows they summarise; never by application code.
 * Each unit's rows already include its whole subtree (a write adds to the unit and every ancestor),
 * and each change is kept at two grains: 'D' (day) and 'M' (the month's first day), so a one-year
 * national figure reads about a dozen rows per unit instead of a year of days.
 * Days are calendar days in Asia/Almaty (senim_day()).
 */
const grain = () => text({ enum: ["D", "M"] }).notNull();

/** Flows per unit and day; stocks (open, overdue, officers) are running sums of in/out pairs. */
export const metricsDaily = pgTable(
  "metrics_daily",
  {
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    grain: grain(),
    day: date({ mode: "string" }).notNull(),
    received: integer().notNull().default(0),
    opened: integer().notNull().default(0),
    closed: integer().notNull().default(0),
    closedInTime: integer().notNull().default(0),
    overdueStarted: integer().notNull().default(0),
    overdueEnded: integer().notNull().default(0),
    feedbackResponses: integer().notNull().default(0),
    feedbackSum: integer().notNull().default(0),
    withFinding: integer().notNull().default(0),
    sustained: integer().notNull().default(0),
    commendations: integer().notNull().default(0),
    officersIn: integer().notNull().default(0),
    officersOut: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.grain, t.day] }),
    check("metrics_daily_grain", sql`${t.grain} in ('D', 'M')`),
  ],
);

/** Allegations received and sustained findings, per category. */
export const metricsCategoryDaily = pgTable(
  "metrics_category_daily",
  {
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    grain: grain(),
    day: date({ mode: "string" }).notNull(),
    category: text().notNull(),
    allegations: integer().notNull().default(0),
    sustained: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.grain, t.day, t.category] })],
);

/** How many complaints closed that day took `days` calendar days: a histogram, so medians add up over units. */
export const metricsCloseDays = pgTable(
  "metrics_close_days",
  {
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    grain: grain(),
    day: date({ mode: "string" }).notNull(),
    days: smallint().notNull(),
    complaints: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.grain, t.day, t.days] })],
);
