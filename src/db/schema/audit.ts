import { bigint, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Append-only, hash-chained record of every mutation and every refused attempt.
 * Holds identifiers only: never names, narratives or contact details.
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
    outcome: text({ enum: ["SUCCESS", "DENIED"] }).notNull(),
    requestId: text().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityId, t.seq),
    index("audit_log_principal_idx").on(t.principalId, t.seq),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;
