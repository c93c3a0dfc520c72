import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { officerAssignments, officers, type AssignmentRow, type OfficerRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const KEYS = sql.placeholder("keys");
const officersById = prepared((db) => db.select().from(officers).where(anyOf(officers.id, KEYS)).prepare(""));
const officersByBadge = prepared((db) => db.select().from(officers).where(anyOf(officers.badgeNumber, KEYS)).prepare(""));
const assignmentsOf = prepared((db) =>
  db.select().from(officerAssignments).where(anyOf(officerAssignments.officerId, KEYS)).orderBy(asc(officerAssignments.fromDate)).prepare(""),
);

export const createOfficerLoaders = (db: Db) => ({
  officerById: new DataLoader<string, OfficerRow | null>(async (ids) => byKey(ids, await officersById(db, { keys: list(ids) }), (r) => r.id)),
  officerByBadge: new DataLoader<string, OfficerRow | null>(async (badges) =>
    byKey(badges, await officersByBadge(db, { keys: list(badges) }), (r) => r.badgeNumber),
  ),
  assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
    groupByKey(ids, await assignmentsOf(db, { keys: list(ids) }), (r) => r.officerId),
  ),
});
