import { sql } from "drizzle-orm";
import { bigint, bigserial, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Append-only, hash-chained record of every mutation, every refused attempt, every read of personal data,
 * and every change to a case table that no audited mutation made. Identifiers only: never names,
 * narratives or contact details.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    principalId: uuid(),
    principalRole: text(),
    action: text().notNull(),
    entity: text(),
    entityId: text(),
    outcome: text({ enum: ["SUCCESS", "DENIED", "UNAUDITED"] }).notNull(),
    requestId: text().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
    /** AUDIT_KEY id that keyed `hash`; null on records chained before keys (sha256) and on UNAUDITED ones. */
    keyId: text(),
    /** The writing transaction (txid_current()): ties the record to the row versions it wrote. */
    tx: bigint({ mode: "number" }),
    /** Keyed hash of the mutation's input, secrets left out: shows the input without storing it. */
    inputDigest: text(),
    /** sha256 over inputDigest and the row versions the transaction wrote: what the change did. */
    digest: text(),
    /** Further records named by one entry: the complaints a READ_PERSONAL_DATA request returned. */
    records: text().array(),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityId, t.seq),
    index("audit_log_principal_idx").on(t.principalId, t.seq),
    index("audit_log_tx_idx").on(t.tx),
    // Only READ_PERSONAL_DATA records name several; the others stay out of the index (and its upkeep).
    index("audit_log_records_idx")
      .using("gin", t.records)
      .where(sql`${t.records} is not null`),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Every version of a case-table row, written by triggers (never by the service), with the transaction that
 * wrote it. An audit record's digest covers its transaction's versions; a transaction with versions and no
 * audit record changed the case behind the service's back.
 */
export const rowVersions = pgTable(
  "row_versions",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    tx: bigint({ mode: "number" }).notNull(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    entity: text().notNull(),
    entityId: text().notNull(),
    op: text({ enum: ["INSERT", "UPDATE", "DELETE"] }).notNull(),
    /** sha256 of the row as written (its JSON); null for a delete. */
    rowHash: text(),
    /** The database role that ran the statement. */
    dbRole: text().notNull(),
  },
  (t) => [index("row_versions_tx_idx").on(t.tx)],
);
