import DataLoader from "dataloader";
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/client";
import { encodeCursor, type Page } from "../../common/pagination";
import type { AllegationRow, CommendationRow } from "../../db/schema";

export interface HistoryKey {
  officerId: string;
  page: Page;
}

interface Ranked {
  officer_id: string;
  total: number;
}

/**
 * The first page of each officer's allegations or commendations, newest first, for a whole roster page in
 * one statement (window functions), with each officer's total. Keys with an `after` cursor are rare and
 * are answered one statement per cursor.
 */
function historyLoader<Row>(db: Db, table: "allegations" | "commendations", orderColumn: string, toRow: (r: Record<string, unknown>) => Row) {
  return new DataLoader<HistoryKey, { rows: (Row & { cursor: string })[]; total: number; page: Page }, string>(
    async (keys) => {
      const groups = new Map<string, HistoryKey[]>();
      for (const key of keys) {
        const shape = JSON.stringify([key.page.limit, key.page.after]);
        groups.set(shape, [...(groups.get(shape) ?? []), key]);
      }
      const results = new Map<string, { rows: (Row & { cursor: string })[]; total: number; page: Page }>();
      for (const group of groups.values()) {
        const { page } = group[0];
        const ids = sql`array[${sql.join(group.map((k) => sql`${k.officerId}::uuid`), sql`, `)}]`;
        const [at, id] = page.after ?? [];
        const after = page.after ? sql`and (t.${sql.raw(orderColumn)}, t.id) < (${String(at)}::timestamptz, ${String(id)}::uuid)` : sql``;
        const found = await rows<Record<string, unknown> & Ranked & { rn: number; order_at: string }>(
          db,
          sql`select * from (
                select t.*, t.${sql.raw(orderColumn)}::text as order_at,
                  row_number() over (partition by t.officer_id order by t.${sql.raw(orderColumn)} desc, t.id desc) as rn,
                  (select count(*)::int from ${sql.raw(table)} c where c.officer_id = t.officer_id) as total
                from ${sql.raw(table)} t where t.officer_id = any(${ids}) ${after}
              ) ranked where rn <= ${page.limit} order by officer_id, rn`,
        );
        for (const key of group) {
          const mine = found.filter((r) => r.officer_id === key.officerId);
          results.set(JSON.stringify([key.officerId, page.limit, page.after]), {
            page,
            total: mine[0]?.total ?? 0,
            rows: mine.map((r) => ({ ...toRow(r), cursor: encodeCursor([new Date(r.order_at).toISOString(), r.id]) })),
          });
        }
      }
      return keys.map((k) => results.get(JSON.stringify([k.officerId, k.page.limit, k.page.after]))!);
    },
    { cacheKeyFn: (k) => JSON.stringify([k.officerId, k.page.limit, k.page.after]), maxBatchSize: 500 },
  );
}

const date = (v: unknown) => (v == null ? null : new Date(String(v)));

export const createOfficerHistoryLoaders = (db: Db) => ({
  allegationsByOfficer: historyLoader<AllegationRow>(db, "allegations", "created_at", (r) => ({
    id: String(r.id),
    complaintId: String(r.complaint_id),
    category: r.category as AllegationRow["category"],
    description: (r.description as string | null) ?? null,
    officerId: (r.officer_id as string | null) ?? null,
    unitAtIncidentId: (r.unit_at_incident_id as string | null) ?? null,
    recommendedFinding: (r.recommended_finding as AllegationRow["recommendedFinding"]) ?? null,
    finding: (r.finding as AllegationRow["finding"]) ?? null,
    closureReason: (r.closure_reason as AllegationRow["closureReason"]) ?? null,
    findingRationale: (r.finding_rationale as string | null) ?? null,
    createdAt: date(r.created_at)!,
  })),
  commendationsByOfficer: historyLoader<CommendationRow>(db, "commendations", "occurred_at", (r) => ({
    id: String(r.id),
    trackingNumber: String(r.tracking_number),
    type: r.type as CommendationRow["type"],
    status: r.status as CommendationRow["status"],
    officerId: (r.officer_id as string | null) ?? null,
    officerDescription: (r.officer_description as string | null) ?? null,
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
    reviewNote: (r.review_note as string | null) ?? null,
  })),
});
