import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { allegations, complaintEvents, complaints, type AllegationRow, type ComplaintEventRow, type ComplaintRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const KEYS = sql.placeholder("keys");
const complaintsById = prepared((db) => db.select().from(complaints).where(anyOf(complaints.id, KEYS)).prepare(""));
const allegationsOf = prepared((db) =>
  db.select().from(allegations).where(anyOf(allegations.complaintId, KEYS)).orderBy(asc(allegations.seq)).prepare(""),
);
const eventsOf = prepared((db) =>
  db
    .select()
    .from(complaintEvents)
    .where(anyOf(complaintEvents.complaintId, KEYS))
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .prepare(""),
);

export const createComplaintLoaders = (db: Db) => ({
  complaintById: new DataLoader<string, ComplaintRow | null>(async (ids) => byKey(ids, await complaintsById(db, { keys: list(ids) }), (r) => r.id)),
  allegationsByComplaintId: new DataLoader<string, AllegationRow[]>(async (ids) =>
    groupByKey(ids, await allegationsOf(db, { keys: list(ids) }), (r) => r.complaintId),
  ),
  eventsByComplaintId: new DataLoader<string, ComplaintEventRow[]>(async (ids) =>
    groupByKey(ids, await eventsOf(db, { keys: list(ids) }), (r) => r.complaintId),
  ),
});
