import DataLoader from "dataloader";
import { getTableColumns, getTableName, sql, type Placeholder, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { arrayParam, preparedPerBatch, preparedRows, type Db } from "../../db/client";
import { encodeCursor, type Page } from "../../common/pagination";
import {
  allegations,
  commendations,
  type AllegationRow,
  type CommendationRow,
} from "../../db/schema";
import { badInput } from "../../errors";
import { groupByKey } from "../../common/loader";
import { isUuid } from "../../common/ids";

export interface HistoryKey {
  officerId: string;
  page: Page;
}

/** One officer's page: the same officer with another page size or cursor is another key. */
const keyOf = (k: HistoryKey) => JSON.stringify([k.officerId, k.page.limit, k.page.after]);

/** One officer's page of history rows (each with its cursor) and their total. */
export interface HistoryPage<Row> {
  rows: (Row & { cursor: string })[];
  total: number;
  page: Page;
}

interface Ranked {
  total: number;
}

/**
 * The first page of each officer's allegations or commendations, newest first, for a whole roster page in
 * one statement (a lateral page per officer), with each officer's total. Keys with an `after` cursor are rare and
 * are answered one statement per cursor.
 */
function historyLoader<Row>(
  table: typeof allegations | typeof commendations,
  orderColumn: string,
  toRow: (r: Record<string, unknown>) => Row,
) {
  const name = sql.raw(getTableName(table));
  // Named columns, not p.*: a prepared statement's result columns are fixed, and a column added by a later
  // migration would make every server still running fail it ("cached plan must not change result type").
  const columns = sql.raw(
    Object.values(getTableColumns(table))
      .map((c) => `p.${toSnakeCase(c.name)}`)
      .join(", "),
  );
  const order = sql.raw(orderColumn);
  // Totals come from the keys, not from the page: a page past the end still knows the total. Each
  // officer's page is an index range read backwards (officer, time, id), however long the history.
  const statement = (after: SQL) => (db: Db, officers: Placeholder) =>
    preparedRows<Record<string, unknown> & Ranked & { key_id: string; order_at: string }>(
      db,
      sql`select k.key_id, (select count(*)::int from ${name} c where c.officer_id = k.key_id) as total, ${columns}, p.order_at
          from unnest(${arrayParam(officers)}) as k(key_id)
          left join lateral (
            select t.*, to_char(t.${order} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as order_at
            from ${name} t where t.officer_id = k.key_id ${after}
            order by t.${order} desc, t.id desc limit ${sql.placeholder("limit")}
          ) p on true
          order by k.key_id, p.${order} desc, p.id desc`,
    );
  const firstPages = preparedPerBatch("officers", statement(sql``));
  const laterPages = preparedPerBatch(
    "officers",
    statement(
      sql`and (t.${order}, t.id) < (${sql.placeholder("at")}::timestamptz, ${sql.placeholder("id")}::uuid)`,
    ),
  );
  return (db: Db) =>
    new DataLoader<HistoryKey, HistoryPage<Row>, string>(
      async (keys) => {
        // One statement per page shape (size and cursor), for all the officers asked for with it.
        const groups = new Map<string, HistoryKey[]>();
        for (const key of keys) {
          const shape = JSON.stringify([key.page.limit, key.page.after]);
          const group = groups.get(shape);
          if (group) group.push(key);
          else groups.set(shape, [key]);
        }
        const results = new Map<string, HistoryPage<Row>>();
        for (const group of groups.values()) {
          const { page } = group[0];
          const officerIds = group.map((k) => k.officerId);
          const values = { limit: page.limit };
          const found = page.after
            ? await laterPages(db, officerIds, {
                ...values,
                at: String(page.after[0]),
                id: String(page.after[1]),
              })
            : await firstPages(db, officerIds, values);
          groupByKey(officerIds, found, (r) => r.key_id).forEach((mine, i) =>
            results.set(keyOf(group[i]), {
              page,
              total: mine[0]?.total ?? 0,
              rows: mine
                .filter((r) => r.id !== null)
                .map((r) => ({ ...toRow(r), cursor: encodeCursor([r.order_at, r.id]) })),
            }),
          );
        }
        return keys.map((k) => results.get(keyOf(k))!);
      },
      { cacheKeyFn: keyOf, maxBatchSize: 500 },
    );
}

/** Cursors keep microseconds: rows written in one transaction share a timestamp down to the millisecond. */
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** True when `YYYY-MM-DDTHH:MM:SS.mmm` names an instant that exists (no February 30th, no hour 25). */
const isRealInstant = (millis: string) => {
  const ms = Date.parse(`${millis}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 23) === millis;
};

/** BAD_USER_INPUT for an `after` this history never issued (checked before it reaches SQL). */
export function checkHistoryCursor(page: Page): void {
  if (!page.after) return;
  const [at, id] = page.after;
  if (
    page.after.length !== 2 ||
    typeof at !== "string" ||
    typeof id !== "string" ||
    !CURSOR_AT.test(at) ||
    // A date that does not exist (2025-02-30) would roll over in JavaScript and fail in PostgreSQL.
    !isRealInstant(at.slice(0, 23)) ||
    !isUuid(id)
  ) {
    throw badInput("after", "after is not a cursor this API issued");
  }
}

const date = (v: unknown) => (v == null ? null : new Date(String(v)));

const allegationsByOfficer = historyLoader<AllegationRow>(allegations, "created_at", (r) => ({
  id: String(r.id),
  complaintId: String(r.complaint_id),
  category: r.category as AllegationRow["category"],
  descriptionSealed: (r.description as string | null) ?? null,
  officerId: (r.officer_id as string | null) ?? null,
  unitAtIncidentId: (r.unit_at_incident_id as string | null) ?? null,
  recommendedFinding: (r.recommended_finding as AllegationRow["recommendedFinding"]) ?? null,
  finding: (r.finding as AllegationRow["finding"]) ?? null,
  closureReason: (r.closure_reason as AllegationRow["closureReason"]) ?? null,
  findingRationale: (r.finding_rationale as string | null) ?? null,
  decidedBySupervisor: Boolean(r.decided_by_supervisor),
  createdAt: date(r.created_at)!,
  complaintRegisteredAt: date(r.complaint_registered_at)!,
  seq: Number(r.seq),
}));
const commendationsByOfficer = historyLoader<CommendationRow>(
  commendations,
  "occurred_at",
  (r) => ({
    id: String(r.id),
    trackingNumber: String(r.tracking_number),
    type: r.type as CommendationRow["type"],
    status: r.status as CommendationRow["status"],
    officerId: (r.officer_id as string | null) ?? null,
    officerDescriptionSealed: (r.officer_description as string | null) ?? null,
    unitId: (r.unit_id as string | null) ?? null,
    channel: (r.channel as CommendationRow["channel"]) ?? null,
    occurredAt: date(r.occurred_at)!,
    narrativeSealed: String(r.narrative_sealed),
    submitterNameSealed: (r.submitter_name_sealed as string | null) ?? null,
    submitterEmailSealed: (r.submitter_email_sealed as string | null) ?? null,
    submitterPhoneSealed: (r.submitter_phone_sealed as string | null) ?? null,
    registeredAt: date(r.registered_at)!,
    recordedBy: (r.recorded_by as string | null) ?? null,
    reviewedBy: (r.reviewed_by as string | null) ?? null,
    reviewedAt: date(r.reviewed_at),
    reviewNoteSealed: (r.review_note as string | null) ?? null,
    dataKey: (r.data_key as string | null) ?? null,
  }),
);

export const createOfficerHistoryLoaders = (db: Db) => ({
  allegationsByOfficer: allegationsByOfficer(db),
  commendationsByOfficer: commendationsByOfficer(db),
});
