import { createHash } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { auditLog, type AuditRow } from "../db/schema";
import type { Principal } from "../auth/token";

export const GENESIS_HASH = "0".repeat(64);
/** Serialises appends so that each record chains onto exactly one predecessor. */
const AUDIT_CHAIN_LOCK = 7_356_002;

export interface AuditEntry {
  /** The operation, as clients name it: "createOfficer", "transferOfficer", ... */
  action: string;
  entity: string | null;
  entityId: string | null;
  outcome: "SUCCESS" | "DENIED";
}

export interface Actor {
  principal: Principal | null;
  requestId: string;
}

type Chained = Omit<AuditRow, "prevHash" | "hash">;

/** The exact bytes that are hashed: a fixed field order, so the verifier can recompute them. */
export const canonical = (r: Chained) =>
  JSON.stringify([
    r.seq,
    r.at.toISOString(),
    r.principalId,
    r.principalRole,
    r.action,
    r.entity,
    r.entityId,
    r.outcome,
    r.requestId,
  ]);

export const chainHash = (prevHash: string, record: Chained) =>
  createHash("sha256").update(prevHash).update(canonical(record)).digest("hex");

/**
 * Appends records inside the caller's transaction, so they commit or vanish with the change they describe.
 * Called last in a transaction: the chain lock is held until commit.
 */
export async function appendAudit(
  tx: Queryable,
  actor: Actor,
  entries: AuditEntry[],
): Promise<void> {
  if (!entries.length) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const rows = entries.map((entry) => {
    const record: Chained = {
      seq: ++seq,
      at,
      principalId: actor.principal?.id ?? null,
      principalRole: actor.principal?.role ?? null,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      outcome: entry.outcome,
      requestId: actor.requestId,
    };
    const hash = chainHash(prevHash, record);
    const row = { ...record, prevHash, hash };
    prevHash = hash;
    return row;
  });
  // Chunked: a 1000-row import writes 1000 records and each statement has a parameter limit.
  for (let i = 0; i < rows.length; i += 500)
    await tx.insert(auditLog).values(rows.slice(i, i + 500));
}
