import DataLoader from "dataloader";
import { getTableColumns, getTableName, sql, type Placeholder, type SQL } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { arrayParam, preparedPerBatch, preparedRows, type Db } from "../../db/client";
import { type Page } from "../../common/pagination";
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
  /** The item fields the client selected: the columns read follow from them. */
  fields: ReadonlySet<string>;
}

/** One officer's page of history rows (each with its cursor's key) and their total. */
export interface HistoryPage<Row> {
  rows: (Row & { orderKey: [string, string] })[];
  total: number;
  page: Page;
}

interface Ranked {
  total: number;
}

/**
 * The item fields a read of a few columns answers, and those columns: the ones the officer's index holds,
 * so the page is read from the index alone. Its rows hold only these columns (the others are null): a
 * field outside `fields` makes the read take whole rows.
 */
interface Narrow {
  fields: ReadonlySet<string>;
  columns: readonly string[];
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
  narrow?: Narrow,
) {
  const name = sql.raw(getTableName(table));
  // Named columns, not p.*: a prepared statement's result columns are fixed, and a column added by a later
  // migration would make every server still running fail it ("cached plan must not change result type").
  const whole = Object.values(getTableColumns(table)).map((c) => toSnakeCase(c.name));
  const order = sql.raw(orderColumn);
  // Totals come from the keys, not from the page: a page past the end still knows the total, and each is
  // counted once per officer (in the select list it was counted again for each of the officer's rows). Each
  // officer's page is an index range read backwards (officer, time, id), however long the history.
  const statement = (columns: readonly string[], after: SQL) => {
    const inner = sql.raw(columns.map((c) => `t.${c}`).join(", "));
    const outer = sql.raw(columns.map((c) => `p.${c}`).join(", "));
    return (db: Db, officers: Placeholder) =>
      preparedRows<Record<string, unknown> & Ranked & { key_id: string; order_at: string }>(
        db,
        sql`select k.key_id, n.total, ${outer}, p.order_at
          from unnest(${arrayParam(officers)}) as k(key_id)
          cross join lateral (select count(*)::int as total from ${name} c where c.officer_id = k.key_id) n
          left join lateral (
            select ${inner}, to_char(t.${order} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as order_at
            from ${name} t where t.officer_id = k.key_id ${after}
            order by t.${order} desc, t.id desc limit ${sql.placeholder("limit")}
          ) p on true
          order by k.key_id, p.${order} desc, p.id desc`,
      );
  };
  const later = sql`and (t.${order}, t.id) < (${sql.placeholder("at")}::timestamptz, ${sql.placeholder("id")}::uuid)`;
  const reads = (columns: readonly string[]) => ({
    first: preparedPerBatch("officers", statement(columns, sql``)),
    later: preparedPerBatch("officers", statement(columns, later)),
  });
  const wholeRows = reads(whole);
  const narrowRows = narrow && reads(narrow.columns);
  const isNarrow = (key: HistoryKey) =>
    Boolean(narrow) && [...key.fields].every((field) => narrow!.fields.has(field));
  /** One statement per page shape (size, cursor and columns), for all the officers asked for with it. */
  const shapeOf = (k: HistoryKey) => JSON.stringify([k.page.limit, k.page.after, isNarrow(k)]);
  const keyOf = (k: HistoryKey) => `${k.officerId} ${shapeOf(k)}`;
  return (db: Db) =>
    new DataLoader<HistoryKey, HistoryPage<Row>, string>(
      async (keys) => {
        const groups = new Map<string, HistoryKey[]>();
        for (const key of keys) {
          const shape = shapeOf(key);
          const group = groups.get(shape);
          if (group) group.push(key);
          else groups.set(shape, [key]);
        }
        const results = new Map<string, HistoryPage<Row>>();
        for (const group of groups.values()) {
          const { page } = group[0];
          const read = isNarrow(group[0]) ? narrowRows! : wholeRows;
          const officerIds = group.map((k) => k.officerId);
          const values = { limit: page.limit };
          const found = page.after
            ? await read.later(db, officerIds, {
                ...values,
                at: String(page.after[0]),
                id: String(page.after[1]),
              })
            : await read.first(db, officerIds, values);
          groupByKey(officerIds, found, (r) => r.key_id).forEach((mine, i) =>
            results.set(keyOf(group[i]), {
              page,
              total: mine[0]?.total ?? 0,
              rows: mine
                .filter((r) => r.id !== null)
                .map((r) => ({ ...toRow(r), orderKey: [r.order_at, String(r.id)] })),
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

const allegationsByOfficer = historyLoader<AllegationRow>(
  allegations,
  "created_at",
  (r) => ({
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
  }),
  // A roster's "category and finding of the last five" and the profile's list read allegations_officer_idx alone.
  {
    fields: new Set(["__typename", "id", "category", "finding", "officer", "complaint"]),
    columns: ["id", "officer_id", "created_at", "complaint_id", "category", "finding"],
  },
);
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
