import { asc, desc, getTableColumns, gt, sql } from "drizzle-orm";
import { rows, type Queryable } from "../db/client";
import { auditLog, type AuditRow } from "../db/schema";
import type { KeyRing } from "../crypto/keyring";
import { canonical, digestOf, GENESIS_HASH, legacyHash } from "./audit.writer";

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  /** What broke, in words an auditor can act on; null when ok. */
  problem: string | null;
}

/** The signed head of the chain: kept outside the database, it lets a later check notice a cut tail. */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: Date;
  /** "<AUDIT_KEY id>.<HMAC-SHA256 hex>" over seq, hash and at. */
  signature: string;
}

const signed = (seq: number, hash: string, at: Date) =>
  `checkpoint\n${seq}\n${hash}\n${at.toISOString()}`;

/** The chain's current head, signed with the active AUDIT_KEY. An empty chain's head is seq 0. */
export async function checkpoint(
  db: Queryable,
  keys: KeyRing,
  at = new Date(),
): Promise<Checkpoint> {
  const [head] = await db
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const seq = head?.seq ?? 0;
  const hash = head?.hash ?? GENESIS_HASH;
  const { keyId, mac } = keys.mac(signed(seq, hash, at));
  return { seq, hash, at, signature: `${keyId}.${mac}` };
}

function signatureHolds(keys: KeyRing, c: Checkpoint): boolean {
  const [keyId, mac] = c.signature.split(".");
  return Boolean(mac) && keys.macWith(keyId, signed(c.seq, c.hash, c.at)) === mac;
}

type Row = AuditRow & { writesHash: string | null };

/** Why `row` does not verify after `prevHash`; null when it does. */
function problemWith(row: Row, prevHash: string, keys: KeyRing, keyed: boolean): string | null {
  const { prevHash: storedPrev, hash, writesHash, ...record } = row;
  if (storedPrev !== prevHash)
    return `record ${row.seq} does not link to the record before it: a record was changed, removed or inserted`;
  if (row.outcome === "UNAUDITED")
    return `${row.entity} ${row.entityId} was changed outside the service (${row.action}, database session ${row.requestId})`;
  if (!row.keyId) {
    if (keyed) return `record ${row.seq} is not keyed, but the chain was keyed before it`;
    return hash === legacyHash(prevHash, record)
      ? null
      : `record ${row.seq} was changed after it was written`;
  }
  const expected = keys.macWith(row.keyId, canonical(prevHash, record));
  if (expected === null)
    return `record ${row.seq} is keyed with AUDIT_KEY "${row.keyId}", which this server does not hold`;
  if (hash !== expected) return `record ${row.seq} was changed after it was written`;
  if (row.digest !== digestOf(row.inputDigest, writesHash ?? ""))
    return `the rows written with record ${row.seq} (${row.entity} ${row.entityId}) were changed, or their versions removed`;
  return null;
}

/**
 * Walks the whole chain in order: each record must link to its predecessor, hash what it holds (keyed with
 * AUDIT_KEY, or sha256 before the chain was keyed) and digest the row versions its transaction wrote. An
 * UNAUDITED record (a change made behind the service's back) is a break. With `since`, the chain must still
 * hold that checkpoint: a cut or rewritten tail fails. Last, every row version must belong to an audited
 * transaction.
 */
export async function verifyChain(
  db: Queryable,
  keys: KeyRing,
  options: { since?: Checkpoint | null; batch?: number } = {},
): Promise<ChainReport> {
  const { since, batch = 5000 } = options;
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let keyed = false;
  const broken = (seq: number, problem: string): ChainReport => ({
    ok: false,
    checked: prevSeq,
    firstBrokenSeq: seq,
    problem,
  });
  if (since && !signatureHolds(keys, since))
    return broken(
      since.seq,
      "the checkpoint's signature does not verify: it was not issued with this AUDIT_KEY, or was altered",
    );
  for (;;) {
    const page: Row[] = await db
      .select({
        ...getTableColumns(auditLog),
        writesHash: sql<
          string | null
        >`case when ${auditLog.digest} is not null then tx_writes_hash(${auditLog.tx}) end`,
      })
      .from(auditLog)
      .where(gt(auditLog.seq, prevSeq))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    for (const row of page) {
      if (row.seq !== prevSeq + 1)
        return broken(prevSeq + 1, `records ${prevSeq + 1} to ${row.seq - 1} are missing`);
      const problem = problemWith(row, prevHash, keys, keyed);
      if (problem) return broken(row.seq, problem);
      if (since && row.seq === since.seq && row.hash !== since.hash)
        return broken(
          row.seq,
          `record ${row.seq} is not the one the checkpoint of ${since.at.toISOString()} signed: the chain was rewritten from there`,
        );
      keyed ||= Boolean(row.keyId);
      prevSeq = row.seq;
      prevHash = row.hash;
    }
    if (page.length < batch) break;
  }
  if (prevSeq > 0 && !keyed)
    return broken(
      prevSeq,
      "no record is keyed with AUDIT_KEY yet: start the server once to anchor the chain",
    );
  if (since && prevSeq < since.seq)
    return broken(
      prevSeq + 1,
      `the chain ends at record ${prevSeq}, but the checkpoint of ${since.at.toISOString()} holds ${since.seq}: records were removed from its tail`,
    );
  const [orphan] = await rows<{ entity: string; entity_id: string; op: string; db_role: string }>(
    db,
    sql`select entity, entity_id, op, db_role from row_versions v
        where not exists (select 1 from audit_log a where a.tx = v.tx) order by id limit 1`,
  );
  if (orphan)
    return {
      ok: false,
      checked: prevSeq,
      firstBrokenSeq: null,
      problem: `${orphan.entity} ${orphan.entity_id} was changed outside the service (${orphan.op} by database role ${orphan.db_role}) and no record says so`,
    };
  return { ok: true, checked: prevSeq, firstBrokenSeq: null, problem: null };
}
