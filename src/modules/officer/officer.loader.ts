import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { officerAssignments, officers, type AssignmentRow, type OfficerRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";
import { unitIdsOn } from "./officer.service";

const KEYS = sql.placeholder("keys");
const officersById = prepared((db) => db.select().from(officers).where(anyOf(officers.id, KEYS)).prepare(""));
const officersByBadge = prepared((db) => db.select().from(officers).where(anyOf(officers.badgeNumber, KEYS)).prepare(""));
const unitIdsToday = prepared((db) => unitIdsOn(db, KEYS, sql.placeholder("day")).prepare(""));
const assignmentsOf = prepared((db) =>
  db.select().from(officerAssignments).where(anyOf(officerAssignments.officerId, KEYS)).orderBy(asc(officerAssignments.fromDate)).prepare(""),
);

export const createOfficerLoaders = (db: Db, today: string) => ({
  officerById: new DataLoader<string, OfficerRow | null>(async (ids) => byKey(ids, await officersById(db, { keys: list(ids) }), (r) => r.id)),
  officerByBadge: new DataLoader<string, OfficerRow | null>(async (badges) =>
    byKey(badges, await officersByBadge(db, { keys: list(badges) }), (r) => r.badgeNumber),
  ),
  /** The unit an officer serves in today. */
  currentUnitIdByOfficerId: new DataLoader<string, string | null>(async (ids) =>
    byKey(ids, await unitIdsToday(db, { keys: list(ids), day: today }), (r) => r.officerId).map((r) => r?.unitId ?? null),
  ),
  assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
    groupByKey(ids, await assignmentsOf(db, { keys: list(ids) }), (r) => r.officerId),
  ),
});
