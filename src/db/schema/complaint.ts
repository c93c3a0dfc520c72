import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { principals } from "./auth";
import { officers } from "./officer";
import { units } from "./unit";

export const CHANNELS = [
  "WEB_FORM",
  "EOTINISH",
  "EGOV",
  "HOTLINE_102",
  "APP_102",
  "CALL_CENTER_1414",
  "TELEGRAM_BOT",
  "IN_PERSON",
  "MAIL",
  "INTERNAL_REFERRAL",
] as const;
export const COMPLAINANT_TYPES = ["VICTIM", "WITNESS", "THIRD_PARTY", "INTERNAL"] as const;
export const CATEGORIES = [
  "FORCE",
  "ABUSE_OF_AUTHORITY",
  "DISCOURTESY",
  "OFFENSIVE_LANGUAGE",
  "UNTRUTHFUL_STATEMENT",
  "LACK_OF_SERVICE",
  "CORRUPTION",
  "CRIMINAL_CONDUCT",
  "DOMESTIC_VIOLENCE_HANDLING",
  "MINORS_RIGHTS",
  "CYBER_FRAUD_HANDLING",
  "DISCRIMINATION",
  "OTHER",
] as const;
export const FINDINGS = [
  "SUSTAINED",
  "NOT_SUSTAINED",
  "EXONERATED",
  "UNFOUNDED",
  "POLICY_FAILURE",
] as const;
export const CLOSURE_REASONS = [
  "WITHDRAWN",
  "MEDIATED",
  "COMPLAINANT_UNAVAILABLE",
  "OFFICER_UNIDENTIFIED",
  "SUBJECT_SEPARATED",
  "REFERRED_TO_PROSECUTOR",
  "ADMINISTRATIVELY_CLOSED",
] as const;
export const CASE_STATUSES = [
  "REGISTERED",
  "ASSIGNED",
  "UNDER_INVESTIGATION",
  "PENDING_REVIEW",
  "CLOSED",
  "REOPENED",
] as const;
export const LANGUAGES = ["KK", "RU", "EN"] as const;

export type CaseStatus = (typeof CASE_STATUSES)[number];

/**
 * A complaint about one incident. Columns ending in `Sealed` hold AES-256-GCM envelopes under the
 * complaint's own data key (src/crypto/data-keys.ts): everything the citizen typed, and staff notes on its
 * timeline and allegations, never sit in plaintext. Erasure replaces the data key, and what it sealed is gone.
 */
export const complaints = pgTable(
  "complaints",
  {
    id: uuid().primaryKey().defaultRandom(),
    trackingNumber: text().notNull().unique(),
    status: text({ enum: CASE_STATUSES }).notNull().default("REGISTERED"),
    channel: text({ enum: CHANNELS }).notNull(),
    language: text({ enum: LANGUAGES }).notNull(),
    incidentAt: timestamp({ withTimezone: true }).notNull(),
    incidentPlaceSealed: text("incident_place"),
    unitId: uuid()
      .notNull()
      .references(() => units.id),
    /** Null once the complainant's data is erased. */
    narrativeSealed: text(),
    complainantType: text({ enum: COMPLAINANT_TYPES }),
    complainantNameSealed: text(),
    complainantEmailSealed: text(),
    complainantPhoneSealed: text(),
    anonymous: boolean().notNull(),
    complainantErasedAt: timestamp({ withTimezone: true }),
    accessCodeHash: text().notNull(),
    registeredAt: timestamp({ withTimezone: true }).notNull(),
    responseDueAt: timestamp({ withTimezone: true }).notNull(),
    extendedTo: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    assigneeId: uuid().references(() => principals.id),
    registeredBy: uuid().references(() => principals.id),
    version: integer().notNull().default(1),
    feedbackRating: smallint(),
    feedbackCommentSealed: text(),
    feedbackAt: timestamp({ withTimezone: true }),
    /** This complaint's data key, wrapped by the key ring (ENCRYPTION_KEYS); null only before it is sealed. */
    dataKey: text(),
  },
  (t) => [
    index("complaints_queue_idx").on(t.status, t.responseDueAt),
    index("complaints_unit_idx").on(t.unitId, t.registeredAt),
    // The case queue for a region: each district's open statuses (at 1M complaints: 14 -> 47 req/s).
    index("complaints_unit_status_idx").on(t.unitId, t.status),
    index("complaints_registered_idx").on(t.registeredAt),
    // The standing's counts join an officer's allegations to their complaints for these two columns only: an
    // index-only probe each (49 MB) instead of a page of the 1.2 GB table (a region's 50 standings: 16 -> 2 ms).
    index("complaints_registered_status_idx").on(t.id, t.registeredAt, t.status),
    index("complaints_assignee_idx").on(t.assigneeId),
    // The case queue's order (queueOrder in complaint.service): nearest deadline first, read in order from
    // here instead of sorting every match (the national queue sorted 1M rows: 2.6 s). UTC, to be immutable.
    index("complaints_due_idx").on(
      sql`(date_trunc('milliseconds', coalesce(${t.extendedTo}, ${t.responseDueAt}) at time zone 'UTC'))`,
      t.id,
    ),
    // A unit's open complaints of one status in queue order (listOpenQueue in complaint.service): the page
    // is a merge of short in-order scans, one per unit and status, and the count an index-only scan. The
    // deadline columns last, so that the overdue test needs no table page either. Open only: a tenth of the rows.
    index("complaints_open_queue_idx")
      .on(
        t.unitId,
        t.status,
        sql`(date_trunc('milliseconds', coalesce(${t.extendedTo}, ${t.responseDueAt}) at time zone 'UTC'))`,
        t.id,
        t.extendedTo,
        t.responseDueAt,
      )
      .where(sql`${t.status} <> 'CLOSED'`),
    // The records still to be sealed under their own key (src/crypto/reseal.ts): empty once done.
    index("complaints_unsealed_idx")
      .on(t.id)
      .where(sql`${t.dataKey} is null`),
    check("complaints_rating_check", sql`${t.feedbackRating} between 1 and 5`),
  ],
);

/** One accusation against one officer, who may be identified only later. */
export const allegations = pgTable(
  "allegations",
  {
    id: uuid().primaryKey().defaultRandom(),
    complaintId: uuid()
      .notNull()
      .references(() => complaints.id),
    category: text({ enum: CATEGORIES }).notNull(),
    /** The citizen's or investigator's description of the officer, sealed by the complaint's data key. */
    descriptionSealed: text("description"),
    officerId: uuid().references(() => officers.id),
    unitAtIncidentId: uuid().references(() => units.id),
    recommendedFinding: text({ enum: FINDINGS }),
    finding: text({ enum: FINDINGS }),
    closureReason: text({ enum: CLOSURE_REASONS }),
    findingRationale: text(),
    /** True when a SUPERVISOR set the finding or closure reason in force: only a supervisor may change it. */
    decidedBySupervisor: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * The complaint's registeredAt, copied: the early-warning windows and the 12-month sustained count are
     * taken by registration, and with it here they read one index range per officer instead of probing each
     * allegation's complaint. A complaint's registration never changes; the recount test checks the copies.
     */
    complaintRegisteredAt: timestamp({ withTimezone: true }).notNull(),
    /** Insertion order: allegations written together share createdAt, and the form's order matters. */
    seq: bigserial({ mode: "number" }).notNull(),
  },
  (t) => [
    index("allegations_complaint_idx").on(t.complaintId),
    // An officer's allegations, newest first (ties by id): one backward index range per history page. Covering
    // for the standing's count of open investigations, which reads each allegation's complaint from here.
    index("allegations_officer_idx").on(
      t.officerId,
      t.createdAt,
      t.id,
      t.complaintId,
      t.category,
      t.finding,
    ),
    // The standing's windows (standing.sql.ts): an officer's allegations by registration, covering the
    // category and finding they are counted by.
    index("allegations_officer_window_idx").on(
      t.officerId,
      t.complaintRegisteredAt,
      t.category,
      t.finding,
    ),
    index("allegations_unit_idx").on(t.unitAtIncidentId),
    check("allegations_one_outcome", sql`${t.finding} is null or ${t.closureReason} is null`),
  ],
);

/** Everything that happened to a complaint; entries with a public message are what the complainant sees. */
export const complaintEvents = pgTable(
  "complaint_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    complaintId: uuid()
      .notNull()
      .references(() => complaints.id),
    at: timestamp({ withTimezone: true }).notNull(),
    kind: text().notNull(),
    actorId: uuid().references(() => principals.id),
    /** Staff's note, sealed by the complaint's data key. */
    noteSealed: text("note"),
    publicMessage: text(),
  },
  (t) => [index("complaint_events_complaint_idx").on(t.complaintId, t.at)],
);

/** Claims on idempotency keys: the first request with a key owns it; retries within 7 days get its receipt back. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text().notNull(),
    key: uuid().notNull(),
    /** HMAC-SHA256 of the canonical submission under ENCRYPTION_KEYS key `keyId`: it tells a retry from another form, and nothing of what the form said. */
    requestHash: text().notNull(),
    /** The key of `requestHash`; "legacy:sha256" on rows hashed before keys, until they expire. */
    keyId: text().notNull(),
    resultId: uuid(),
    /** The receipt as first returned, sealed: it holds the access code, which is otherwise kept only hashed. */
    receiptSealed: text(),
    /** A row expires 7 days after this (IDEMPOTENCY_TTL_MS) and is then purged. */
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);

/** Per-year counters behind SNM-<year>-<6 digits>; the row lock makes numbers gapless across processes. */
export const trackingCounters = pgTable(
  "tracking_counters",
  { scope: text().notNull(), year: integer().notNull(), last: integer().notNull() },
  (t) => [primaryKey({ columns: [t.scope, t.year] })],
);

export type ComplaintRow = typeof complaints.$inferSelect;
export type AllegationRow = typeof allegations.$inferSelect;
export type ComplaintEventRow = typeof complaintEvents.$inferSelect;
