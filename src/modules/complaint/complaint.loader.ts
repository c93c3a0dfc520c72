import DataLoader from "dataloader";
import { asc } from "drizzle-orm";
import { anyOf, type Db } from "../../db/client";
import { allegations, complaintEvents, complaints, type AllegationRow, type ComplaintEventRow, type ComplaintRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

export const createComplaintLoaders = (db: Db) => ({
  complaintById: new DataLoader<string, ComplaintRow | null>(async (ids) =>
    byKey(ids, await db.select().from(complaints).where(anyOf(complaints.id, ids)), (r) => r.id),
  ),
  allegationsByComplaintId: new DataLoader<string, AllegationRow[]>(async (ids) =>
    groupByKey(
      ids,
      await db.select().from(allegations).where(anyOf(allegations.complaintId, ids)).orderBy(asc(allegations.seq)),
      (r) => r.complaintId,
    ),
  ),
  eventsByComplaintId: new DataLoader<string, ComplaintEventRow[]>(async (ids) =>
    groupByKey(
      ids,
      await db.select().from(complaintEvents).where(anyOf(complaintEvents.complaintId, ids)).orderBy(asc(complaintEvents.at), asc(complaintEvents.id)),
      (r) => r.complaintId,
    ),
  ),
});
