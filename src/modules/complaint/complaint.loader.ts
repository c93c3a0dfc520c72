import DataLoader from "dataloader";
import { asc } from "drizzle-orm";
import { anyOf, byKeys, type Db } from "../../db/client";
import {
  allegations,
  complaintEvents,
  complaints,
  type AllegationRow,
  type ComplaintEventRow,
  type ComplaintRow,
} from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const complaintsById = byKeys((db, keys) =>
  db.select().from(complaints).where(anyOf(complaints.id, keys)).prepare(""),
);
const allegationsOf = byKeys((db, keys) =>
  db
    .select()
    .from(allegations)
    .where(anyOf(allegations.complaintId, keys))
    .orderBy(asc(allegations.seq))
    .prepare(""),
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
    byKey(ids, await complaintsById(db, ids), (r) => r.id),
  ),
  allegationsByComplaintId: new DataLoader<string, AllegationRow[]>(async (ids) =>
    groupByKey(ids, await allegationsOf(db, ids), (r) => r.complaintId),
  ),
  eventsByComplaintId: new DataLoader<string, ComplaintEventRow[]>(async (ids) =>
    groupByKey(ids, await eventsOf(db, ids), (r) => r.complaintId),
  ),
});
