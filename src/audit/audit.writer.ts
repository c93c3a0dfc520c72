import { sha256 } from "../crypto/hash";
import { sql } from "drizzle-orm";
import stableStringify from "fast-json-stable-stringify";
import { rows, type Db, type Queryable } from "../db/client";
import { auditLog, type AuditRow } from "../db/schema";
import type { Principal } from "../auth/token";
import type { KeyRing } from "../crypto/keyring";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  /** The operation, as clients name it: "createOfficer", "transferOfficer", ... */
  action: string;
  entity: string | null;
  entityId: string | null;
  outcome: "SUCCESS" | "DENIED";
  /** The mutation's input: only a keyed hash of it is kept (secrets left out), so it is shown, never stored. */
  input?: unknown;
  /** Further records the entry names: the complaints one READ_PERSONAL_DATA request returned. */
  records?: string[];
}

export interface Actor {
  /** Who acted, as the record names them; null for the service itself, the CLI and the database. */
  principal: Pick<Principal, "id" | "role"> | null;
  requestId: string;
  auditKeys: KeyRing;
}

export type Chained = Omit<AuditRow, "prevHash" | "hash">;

/** The fields every record has had since the chain began, in a fixed order the verifier repeats. */
const base = (r: Chained) => [
  r.seq,
  r.at.toISOString(),
  r.principalId,
  r.principalRole,
  r.action,
  r.entity,
  r.entityId,
  r.outcome,
  r.requestId,
];

/** Records chained before AUDIT_KEY existed: sha256 over the base fields. They verify up to the keyed anchor. */
export const legacyHash = (prevHash: string, r: Chained) =>
  sha256(prevHash + JSON.stringify(base(r)));

/** The exact bytes a keyed record's hash covers. */
export const canonical = (prevHash: string, r: Chained) =>
  prevHash + JSON.stringify([...base(r), r.keyId, r.tx, r.inputDigest, r.digest, r.records]);

/** What the change did: its input (as a keyed hash) and the row versions its transaction wrote. */
export const digestOf = (inputDigest: string | null, writesHash: string) =>
  sha256(`${inputDigest ?? ""}\n${writesHash}`);

/** Inputs never put bearer tokens or access codes in a hash, keyed or not. */
const SECRET = /token|accessCode|password|secret/i;

function inputDigest(keys: KeyRing, keyId: string, input: unknown): string | null {
  if (input === undefined) return null;
  const plain: unknown = JSON.parse(
    JSON.stringify(input, (key, value: unknown) => (SECRET.test(key) ? undefined : value)) ??
      "null",
  );
  return keys.macWith(keyId, `input\n${stableStringify(plain)}`);
}

/** The first keyed record after records chained by sha256 alone: it vouches for all of them, as they are. */
const anchor = (legacyHeadSeq: number): AuditEntry => ({
  action: "anchorAuditChain",
  entity: "AuditLog",
  entityId: String(legacyHeadSeq),
  outcome: "SUCCESS",
});

interface AppendStart {
  this_tx: string;
  head_seq: string | number | null;
  head_hash: string | null;
  head_key_id: string | null;
  head_outcome: string | null;
  writes_hash: string;
}

/**
 * Appends records inside the caller's transaction, so they commit or vanish with the change they describe.
 * Called last in a transaction: the chain lock (audit_append_start) is held until commit, and every row
 * version the transaction wrote is already there to be digested.
 */
export async function appendAudit(
  tx: Queryable,
  actor: Actor,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length) await append(tx, actor, entries);
}

/**
 * At start: a chain whose head predates AUDIT_KEY is anchored now, in a record of its own, rather than by
 * the next mutation; from then on verification requires every record to be keyed.
 */
export const anchorChain = (db: Db, actor: Actor) => db.transaction((tx) => append(tx, actor, []));

async function append(tx: Queryable, actor: Actor, entries: AuditEntry[]): Promise<void> {
  const [start] = await rows<AppendStart>(tx, sql`select * from audit_append_start()`);
  let seq = Number(start.head_seq ?? 0);
  let prevHash = start.head_hash ?? GENESIS_HASH;
  // A chain whose head is an unkeyed record of the service's own (not an UNAUDITED one) predates AUDIT_KEY.
  const legacyHead =
    start.head_seq !== null && !start.head_key_id && start.head_outcome !== "UNAUDITED";
  const keys = actor.auditKeys;
  const keyId = keys.activeKeyId!;
  const at = new Date();
  const all = legacyHead ? [anchor(seq), ...entries] : entries;
  if (!all.length) return;
  const inserted = all.map((entry) => {
    const input = inputDigest(keys, keyId, entry.input);
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
      keyId,
      tx: Number(start.this_tx),
      inputDigest: input,
      digest: digestOf(input, start.writes_hash),
      records: entry.records ?? null,
    };
    const hash = keys.macWith(keyId, canonical(prevHash, record))!;
    const row = { ...record, prevHash, hash };
    prevHash = hash;
    return row;
  });
  // Chunked: a 1000-row import writes 1000 records and each statement has a parameter limit.
  for (let i = 0; i < inserted.length; i += 500)
    await tx.insert(auditLog).values(inserted.slice(i, i + 500));
}
