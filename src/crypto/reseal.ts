import { sql } from "drizzle-orm";
import { appendAudit, type Actor } from "../audit/audit.writer";
import { arrayParam, rows, type Db, type Queryable } from "../db/client";
import type { Logger } from "../logger";
import { newRecordKey, rewrapRecordKey, type KeyOwner } from "./data-keys";
import { KeyRing } from "./keyring";
import { receiptPlace } from "../modules/intake/idempotency.service";

/**
 * Gives every record without a data key its own, and seals its text under it, bound to its place:
 * - "legacy": records written before data keys, whose identity and narrative columns were sealed by the
 *   ring without a place ("v1") and whose other text (incident place, descriptions, notes) was plain;
 * - "plain": the seed's records, written as plain text inside the seed's own transaction.
 * A legacy complaint whose complainant was erased keeps only its erasure reason: the rest of its text is
 * what erasure now destroys.
 */
export type Source = "legacy" | "plain";

interface Work {
  tx: Queryable;
  ring: KeyRing;
  source: Source;
  /**
   * Batches walk the ids upwards from here: starting each from the lowest unsealed id would pass over every
   * row version the earlier batches left behind (autovacuum may be off), quadratic at a million records.
   */
  after: string;
}

const FIRST_ID = "00000000-0000-0000-0000-000000000000";

/** The text columns of each record, and whether a legacy record held them sealed ("v1") or plain. */
const COMPLAINT_COLUMNS = {
  narrative_sealed: "sealed",
  complainant_name_sealed: "sealed",
  complainant_email_sealed: "sealed",
  complainant_phone_sealed: "sealed",
  feedback_comment_sealed: "sealed",
  incident_place: "plain",
} as const;
const COMMENDATION_COLUMNS = {
  narrative_sealed: "sealed",
  submitter_name_sealed: "sealed",
  submitter_email_sealed: "sealed",
  submitter_phone_sealed: "sealed",
  officer_description: "plain",
  review_note: "plain",
} as const;

type Row = Record<string, string | null> & { id: string };

const reader =
  ({ ring, source }: Work) =>
  (legacy: "sealed" | "plain", value: string | null) =>
    source === "legacy" && legacy === "sealed" ? ring.openUnbound(value) : value;

/** `update table set col = v.col ... from unnest(...)`: one statement for a whole batch. */
async function updateFrom(tx: Queryable, table: string, updates: Row[], columns: string[]) {
  if (!updates.length) return;
  const arrays = [
    arrayParam(updates.map((u) => u.id)),
    ...columns.map((c) =>
      arrayParam(
        updates.map((u) => u[c] ?? null),
        "text",
      ),
    ),
  ];
  const names = sql.raw(["id", ...columns].join(", "));
  const sets = sql.raw(columns.map((c) => `${c} = v.${c}`).join(", "));
  await tx.execute(
    sql`update ${sql.raw(table)} t set ${sets} from unnest(${sql.join(arrays, sql`, `)}) as v(${names}) where t.id = v.id`,
  );
}

/** Seals up to `batch` complaints (with their allegations and timeline); returns their ids. */
async function sealComplaints(work: Work, batch: number): Promise<string[]> {
  const { tx, ring } = work;
  const read = reader(work);
  const found = await rows<Row & { erased: boolean }>(
    tx,
    sql`select id, complainant_erased_at is not null as erased, ${sql.raw(Object.keys(COMPLAINT_COLUMNS).join(", "))}
        from complaints where data_key is null and id > ${work.after}::uuid
        order by id limit ${batch} for update`,
  );
  if (!found.length) return [];
  const ids = found.map((c) => c.id);
  const [allegations, events] = await Promise.all([
    rows<Row & { complaint_id: string }>(
      tx,
      sql`select id, complaint_id, description from allegations
          where complaint_id = any(${arrayParam(ids)}) and description is not null`,
    ),
    rows<Row & { complaint_id: string; kind: string }>(
      tx,
      sql`select id, complaint_id, kind, note from complaint_events
          where complaint_id = any(${arrayParam(ids)}) and note is not null`,
    ),
  ]);
  const keys = new Map(found.map((c) => [c.id, newRecordKey(ring, "complaints", c.id)]));
  const erased = new Set(found.filter((c) => c.erased).map((c) => c.id));
  const complaints = found.map((c) => {
    const { key, wrapped } = keys.get(c.id)!;
    const sealed: Row = { id: c.id, data_key: wrapped };
    for (const [column, legacy] of Object.entries(COMPLAINT_COLUMNS)) {
      const text = erased.has(c.id) ? null : read(legacy, c[column]);
      sealed[column] = key.seal("complaints", column as keyof typeof COMPLAINT_COLUMNS, c.id, text);
    }
    return sealed;
  });
  const descriptions = allegations.map((a) => ({
    id: a.id,
    description: erased.has(a.complaint_id)
      ? null
      : keys.get(a.complaint_id)!.key.seal("allegations", "description", a.id, a.description),
  }));
  const notes = events.map((e) => ({
    id: e.id,
    note:
      erased.has(e.complaint_id) && e.kind !== "COMPLAINANT_DATA_ERASED"
        ? null
        : keys.get(e.complaint_id)!.key.seal("complaint_events", "note", e.id, e.note),
  }));
  await updateFrom(tx, "complaints", complaints, ["data_key", ...Object.keys(COMPLAINT_COLUMNS)]);
  await updateFrom(tx, "allegations", descriptions, ["description"]);
  await updateFrom(tx, "complaint_events", notes, ["note"]);
  return ids;
}

async function sealCommendations(work: Work, batch: number): Promise<string[]> {
  const { tx, ring } = work;
  const read = reader(work);
  const found = await rows<Row>(
    tx,
    sql`select id, ${sql.raw(Object.keys(COMMENDATION_COLUMNS).join(", "))}
        from commendations where data_key is null and id > ${work.after}::uuid
        order by id limit ${batch} for update`,
  );
  const sealed = found.map((c) => {
    const { key, wrapped } = newRecordKey(ring, "commendations", c.id);
    const row: Row = { id: c.id, data_key: wrapped };
    for (const [column, legacy] of Object.entries(COMMENDATION_COLUMNS))
      row[column] = key.seal(
        "commendations",
        column as keyof typeof COMMENDATION_COLUMNS,
        c.id,
        read(legacy, c[column]),
      );
    return row;
  });
  await updateFrom(tx, "commendations", sealed, ["data_key", ...Object.keys(COMMENDATION_COLUMNS)]);
  return found.map((c) => c.id);
}

/**
 * Seals stored receipts again under the ring's active key, bound to their idempotency key: those sealed
 * without a place ("v1", at start) or under an older ring key (keys:rotate). They live 7 days: few rows.
 */
async function resealReceipts(tx: Queryable, ring: KeyRing, from: "unbound" | "older") {
  const found = await rows<{ scope: string; key: string; receipt_sealed: string }>(
    tx,
    from === "unbound"
      ? sql`select scope, key, receipt_sealed from idempotency_keys
            where starts_with(receipt_sealed, 'v1.') for update`
      : sql`select scope, key, receipt_sealed from idempotency_keys
            where receipt_sealed is not null and split_part(receipt_sealed, '.', 2) <> ${ring.activeKeyId}
            for update`,
  );
  for (const r of found) {
    const place = receiptPlace(r.scope, r.key);
    const receipt =
      from === "unbound" ? ring.openUnbound(r.receipt_sealed) : ring.open(r.receipt_sealed, place);
    await tx.execute(
      sql`update idempotency_keys set receipt_sealed = ${ring.seal(receipt, place)}
          where scope = ${r.scope} and key = ${r.key}`,
    );
  }
  return found.length;
}

const OWNERS: Record<KeyOwner, { entity: string; seal: typeof sealComplaints }> = {
  complaints: { entity: "Complaint", seal: sealComplaints },
  commendations: { entity: "Commendation", seal: sealCommendations },
};

/** The seed's records, sealed inside the seed's transaction (its own audit record covers them). */
export async function sealSeededRecords(tx: Queryable, ring: KeyRing, batch = 5_000) {
  for (const { seal } of Object.values(OWNERS)) {
    for (let after = FIRST_ID; ;) {
      const sealed = await seal({ tx, ring, source: "plain", after }, batch);
      if (!sealed.length) break;
      after = sealed[sealed.length - 1];
    }
  }
}

/**
 * At start: seals records stored before data keys, a batch per transaction, each with an audit record naming
 * the records it sealed. Rows are locked, not skipped: a replica starting at the same moment waits for the
 * batch, finds it sealed, and goes on past it, and no record is left behind locked. Nothing to do costs one
 * index probe per table.
 */
export async function sealLegacyRecords(db: Db, ring: KeyRing, actor: Actor, log: Logger) {
  let total = 0;
  for (const [owner, { entity, seal }] of Object.entries(OWNERS)) {
    for (let after = FIRST_ID; ;) {
      const ids = await db.transaction(async (tx) => {
        const sealed = await seal({ tx, ring, source: "legacy", after }, 1_000);
        if (sealed.length)
          await appendAudit(tx, actor, [
            {
              action: "sealStoredData",
              entity,
              entityId: null,
              outcome: "SUCCESS",
              records: sealed,
            },
          ]);
        return sealed;
      });
      if (!ids.length) break;
      after = ids[ids.length - 1];
      total += ids.length;
      log.info({ owner, sealed: total }, "sealing stored records under their own data keys");
    }
  }
  const receipts = await db.transaction((tx) => resealReceipts(tx, ring, "unbound"));
  if (total || receipts) log.info({ records: total, receipts }, "stored records sealed");
}

/**
 * Re-wraps every data key, and re-seals every stored receipt, that is not under the ring's active key
 * (npm run keys:rotate), a batch per transaction with an audit record naming the records. Afterwards no
 * stored value needs the older keys: they can leave ENCRYPTION_KEYS, and every backup taken before then
 * (with the keys of records erased since) can no longer be opened.
 */
export async function rotateDataKeys(db: Db, ring: KeyRing, actor: Actor) {
  const active = ring.activeKeyId!;
  const counts = { complaints: 0, commendations: 0, receipts: 0 };
  for (const [owner, { entity }] of Object.entries(OWNERS) as [KeyOwner, { entity: string }][]) {
    // Walks every record once by id; a record already under the active key is passed over.
    for (let after = FIRST_ID; ;) {
      const { scanned, done } = await db.transaction(async (tx) => {
        const found = await rows<{ id: string; data_key: string }>(
          tx,
          sql`select id, data_key from ${sql.raw(owner)}
              where id > ${after}::uuid and data_key is not null
              order by id limit 1000 for update`,
        );
        const rewrapped = found
          .filter((r) => KeyRing.keyIdOf(r.data_key) !== active)
          .map((r) => ({ id: r.id, data_key: rewrapRecordKey(ring, owner, r.id, r.data_key) }));
        await updateFrom(tx, owner, rewrapped, ["data_key"]);
        if (rewrapped.length)
          await appendAudit(tx, actor, [
            {
              action: "rotateDataKeys",
              entity,
              entityId: null,
              outcome: "SUCCESS",
              records: rewrapped.map((r) => r.id),
            },
          ]);
        return { scanned: found.map((r) => r.id), done: rewrapped.length };
      });
      if (!scanned.length) break;
      after = scanned[scanned.length - 1];
      counts[owner] += done;
    }
  }
  counts.receipts = await db.transaction((tx) => resealReceipts(tx, ring, "older"));
  return counts;
}
