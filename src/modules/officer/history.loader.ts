import DataLoader from "dataloader";
import { getTableColumns, getTableName, sql, type Placeholder } from "drizzle-orm";
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
import type { OfficerPart, OfficerPartsLoader } from "./officer.parts";

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
 * Each officer's page of allegations or commendations, newest first, with the officer's total. A first page
 * is a part of the request's officer statement (officer.parts.ts), read with the officers' other parts; a
 * page after a cursor (rare) is one statement per cursor.
 */
function historyLoader<Row>(
  table: typeof allegations | typeof commendations,
  orderColumn: string,
  toRow: (r: Record<string, unknown>) => Row,
  narrow?: Narrow,
) {
  const tableName = getTableName(table);
  const name = sql.raw(tableName);
  // Named columns, not p.*: a prepared statement's result columns are fixed, and a column added by a later
  // migration would make every server still running fail it ("cached plan must not change result type").
  const whole = Object.values(getTableColumns(table)).map((c) => toSnakeCase(c.name));
  const order = sql.raw(orderColumn);
  const orderAt = sql`to_char(t.${order} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as order_at`;
  const columnList = (columns: readonly string[]) =>
    sql.raw(columns.map((c) => `t.${c}`).join(", "));
  // Each officer's total is counted once, and each page is an index range read backwards (officer, time, id),
  // however long the history.
  const total = sql`(select count(*)::int from ${name} c where c.officer_id = o.id)`;
  const firstPages = new Map<string, OfficerPart>();
  /** The first `limit` rows and the total, as {"total": n, "rows": [...]}; no rows are read for a limit of 0. */
  const firstPage = (limit: number, columns: readonly string[], shape: string): OfficerPart => {
    const id = `${tableName}:${shape}:${limit}`;
    let part = firstPages.get(id);
    if (!part) {
      const rows = sql`(select coalesce(json_agg(p order by p.order_at desc, p.id desc), '[]') from (
          select ${columnList(columns)}, ${orderAt} from ${name} t where t.officer_id = o.id
          order by t.${order} desc, t.id desc limit ${sql.raw(String(limit))}) p)`;
      part = {
        id,
        sql:
          limit === 0
            ? sql`json_build_object('total', ${total})`
            : sql`json_build_object('total', ${total}, 'rows', ${rows})`,
      };
      firstPages.set(id, part);
    }
    return part;
  };
  const later = (columns: readonly string[]) =>
    preparedPerBatch("officers", (db: Db, officers: Placeholder) =>
      preparedRows<Record<string, unknown> & Ranked & { key_id: string; order_at: string }>(
        db,
        sql`select k.key_id, n.total, ${sql.raw(columns.map((c) => `p.${c}`).join(", "))}, p.order_at
          from unnest(${arrayParam(officers)}) as k(key_id)
          cross join lateral (select count(*)::int as total from ${name} c where c.officer_id = k.key_id) n
          left join lateral (
            select ${columnList(columns)}, ${orderAt}
            from ${name} t where t.officer_id = k.key_id
              and (t.${order}, t.id) < (${sql.placeholder("at")}::timestamptz, ${sql.placeholder("id")}::uuid)
            order by t.${order} desc, t.id desc limit ${sql.placeholder("limit")}
          ) p on true
          order by k.key_id, p.${order} desc, p.id desc`,
      ),
    );
  const wholeLater = later(whole);
  const narrowLater = narrow && later(narrow.columns);
  const isNarrow = (key: HistoryKey) =>
    Boolean(narrow) && [...key.fields].every((field) => narrow!.fields.has(field));
  /**
   * One read per page shape (size, cursor and columns), for all the officers asked for with it. Worked out
   * once per key: a roster asks 100 keys, each met by the cache and by the batch.
   */
  const shapes = new WeakMap<HistoryKey, string>();
  const shapeOf = (k: HistoryKey) => {
    let shape = shapes.get(k);
    if (shape === undefined)
      shapes.set(k, (shape = JSON.stringify([k.page.limit, k.page.after, isNarrow(k)])));
    return shape;
  };
  const keyOf = (k: HistoryKey) => `${k.officerId} ${shapeOf(k)}`;
  const withKeys = (r: Record<string, unknown>) =>
    Object.assign(toRow(r) as Row & object, {
      orderKey: [String(r.order_at), String(r.id)] as [string, string],
    });

  /** The pages of one shape's officers, in their order. */
  async function read(db: Db, parts: OfficerPartsLoader, group: HistoryKey[]) {
    const { page } = group[0];
    const narrowRead = isNarrow(group[0]);
    const officerIds = group.map((k) => k.officerId);
    if (!page.after) {
      const part = narrowRead
        ? firstPage(page.limit, narrow!.columns, "narrow")
        : firstPage(page.limit, whole, "whole");
      const found = await parts.loadMany(officerIds.map((officerId) => ({ officerId, part })));
      return found.map((value): HistoryPage<Row> => {
        if (value instanceof Error) throw value;
        const { total = 0, rows = [] } = (value ?? {}) as {
          total?: number;
          rows?: Record<string, unknown>[];
        };
        return { page, total, rows: rows.map(withKeys) };
      });
    }
    const found = await (narrowRead ? narrowLater! : wholeLater)(db, officerIds, {
      limit: page.limit,
      at: String(page.after[0]),
      id: String(page.after[1]),
    });
    return groupByKey(officerIds, found, (r) => r.key_id).map((mine): HistoryPage<Row> => ({
      page,
      total: mine[0]?.total ?? 0,
      rows: mine.filter((r) => r.id !== null).map(withKeys),
    }));
  }

  return (db: Db, parts: () => OfficerPartsLoader) =>
    new DataLoader<HistoryKey, HistoryPage<Row>, string>(
      async (keys) => {
        // Each shape's keys, with their places in the batch.
        const groups = new Map<string, { keys: HistoryKey[]; at: number[] }>();
        keys.forEach((key, i) => {
          const shape = shapeOf(key);
          const group = groups.get(shape) ?? groups.set(shape, { keys: [], at: [] }).get(shape)!;
          group.keys.push(key);
          group.at.push(i);
        });
        // Every shape asked at once, so that the first pages join the same officer statement.
        const results = new Array<HistoryPage<Row>>(keys.length);
        await Promise.all(
          [...groups.values()].map(async (group) =>
            (await read(db, parts(), group.keys)).forEach(
              (result, i) => (results[group.at[i]] = result),
            ),
          ),
        );
        return results;
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

export const createOfficerHistoryLoaders = (db: Db, parts: () => OfficerPartsLoader) => ({
  allegationsByOfficer: allegationsByOfficer(db, parts),
  commendationsByOfficer: commendationsByOfficer(db, parts),
});
