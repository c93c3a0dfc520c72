import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { principals } from "./auth";
import { allegations } from "./complaint";
import { officers } from "./officer";
import { penalties } from "./reference";

export const REVIEW_STATUSES = [
  "OPEN",
  "HEARING_SCHEDULED",
  "DECIDED",
  "APPEALED",
  "APPEAL_DECIDED",
  "FINAL",
] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
/** Statuses in which a review still awaits a decision: the officer is UNDER_REVIEW. */
export const AWAITING_DECISION: readonly ReviewStatus[] = ["OPEN", "HEARING_SCHEDULED", "APPEALED"];
export const APPEAL_OUTCOMES = ["UPHELD", "REDUCED", "OVERTURNED"] as const;

/** A disciplinary review of one officer, from opening to a final (possibly appealed) decision. */
export const disciplinaryReviews = pgTable(
  "disciplinary_reviews",
  {
    id: uuid().primaryKey().defaultRandom(),
    officerId: uuid()
      .notNull()
      .references(() => officers.id),
    status: text({ enum: REVIEW_STATUSES }).notNull().default("OPEN"),
    version: integer().notNull().default(1),
    summary: text().notNull(),
    openedBy: uuid().references(() => principals.id),
    openedAt: timestamp({ withTimezone: true }).notNull(),
    hearingAt: timestamp({ withTimezone: true }),
    /** The penalty in force: the decided one, or the reduced one after a REDUCED appeal. */
    penalty: text().references(() => penalties.code),
    originalPenalty: text().references(() => penalties.code),
    effectiveFrom: date({ mode: "string" }),
    effectiveUntil: date({ mode: "string" }),
    rationale: text(),
    aggravatingFactors: text().array().notNull().default([]),
    mitigatingFactors: text().array().notNull().default([]),
    decidedAt: timestamp({ withTimezone: true }),
    decidedBy: uuid().references(() => principals.id),
    appealReason: text(),
    appealedAt: timestamp({ withTimezone: true }),
    appealOutcome: text({ enum: APPEAL_OUTCOMES }),
    appealDecidedAt: timestamp({ withTimezone: true }),
    /** Why the appeal was decided as it was; required since every decision carries its reasons. */
    appealRationale: text(),
    overturned: boolean().notNull().default(false),
    finalizedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("disciplinary_reviews_officer_idx").on(t.officerId, t.status),
    check(
      "disciplinary_reviews_window",
      sql`${t.effectiveUntil} is null or ${t.effectiveUntil} > ${t.effectiveFrom}`,
    ),
  ],
);

/** The sustained allegations a review is about (none when opened on internal grounds). */
export const reviewAllegations = pgTable(
  "review_allegations",
  {
    reviewId: uuid()
      .notNull()
      .references(() => disciplinaryReviews.id),
    allegationId: uuid()
      .notNull()
      .references(() => allegations.id),
  },
  (t) => [
    primaryKey({ columns: [t.reviewId, t.allegationId] }),
    index("review_allegations_allegation_idx").on(t.allegationId),
  ],
);

export type ReviewRow = typeof disciplinaryReviews.$inferSelect;
