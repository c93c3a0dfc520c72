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

/** An officer found by either key is cached under both: a standing found by badge names its officer by id. */
export const createOfficerLoaders = (db: Db) => {
  const officerById: DataLoader<string, OfficerRow | null> = new DataLoader(async (ids) => {
    const found = await officersById(db, { keys: list(ids) });
    for (const officer of found) officerByBadge.prime(officer.badgeNumber, officer);
    return byKey(ids, found, (r) => r.id);
  });
  const officerByBadge: DataLoader<string, OfficerRow | null> = new DataLoader(async (badges) => {
    const found = await officersByBadge(db, { keys: list(badges) });
    for (const officer of found) officerById.prime(officer.id, officer);
    return byKey(badges, found, (r) => r.badgeNumber);
  });
  return {
    officerById,
    officerByBadge,
    assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
      groupByKey(ids, await assignmentsOf(db, { keys: list(ids) }), (r) => r.officerId),
    ),
  };
};
