import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, arrayParam, byKeys, preparedRows, type Db } from "../../db/client";
import { tableRows } from "../../db/table-rows";
import {
  allegations,
  complaintEvents,
  complaints,
  type AllegationRow,
  type ComplaintEventRow,
  type ComplaintRow,
} from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const complaintRows = tableRows(complaints, "c");
const complaintsById = byKeys((db, keys) =>
  preparedRows<Record<string, unknown>>(
    db,
    sql`select ${complaintRows.columns} from complaints c where c.id = any(${arrayParam(keys)})`,
  ),
);
const allegationRows = tableRows(allegations, "a");
const allegationsOf = byKeys((db, keys) =>
  preparedRows<Record<string, unknown>>(
    db,
    sql`select ${allegationRows.columns} from allegations a
      where a.complaint_id = any(${arrayParam(keys)}) order by a.seq`,
  ),
);
const eventsOf = byKeys((db, keys) =>
  db
    .select()
    .from(complaintEvents)
    .where(anyOf(complaintEvents.complaintId, keys))
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .prepare(""),
);

export const createComplaintLoaders = (db: Db) => ({
  complaintById: new DataLoader<string, ComplaintRow | null>(async (ids) =>
    byKey(ids, (await complaintsById(db, ids)).map(complaintRows.map), (r) => r.id),
  ),
  allegationsByComplaintId: new DataLoader<string, AllegationRow[]>(async (ids) =>
    groupByKey(ids, (await allegationsOf(db, ids)).map(allegationRows.map), (r) => r.complaintId),
  ),
  eventsByComplaintId: new DataLoader<string, ComplaintEventRow[]>(async (ids) =>
    groupByKey(ids, await eventsOf(db, ids), (r) => r.complaintId),
  ),
});
