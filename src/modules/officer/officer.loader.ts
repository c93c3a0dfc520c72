import DataLoader from "dataloader";
import { asc, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { officerAssignments, officers, type AssignmentRow, type OfficerRow } from "../../db/schema";
import { groupByKey, primingLoader } from "../../common/loader";

const KEYS = sql.placeholder("keys");
const officersById = prepared((db) => db.select().from(officers).where(anyOf(officers.id, KEYS)).prepare(""));
const officersByBadge = prepared((db) => db.select().from(officers).where(anyOf(officers.badgeNumber, KEYS)).prepare(""));
const assignmentsOf = prepared((db) =>
  db.select().from(officerAssignments).where(anyOf(officerAssignments.officerId, KEYS)).orderBy(asc(officerAssignments.fromDate)).prepare(""),
);

/** An officer found by either key is cached under both: a standing found by badge names its officer by id. */
export const createOfficerLoaders = (db: Db) => {
  const officerById: DataLoader<string, OfficerRow | null> = primingLoader(
    (ids) => officersById(db, { keys: list(ids) }),
    (r) => r.id,
    (r) => officerByBadge.prime(r.badgeNumber, r),
  );
  const officerByBadge: DataLoader<string, OfficerRow | null> = primingLoader(
    (badges) => officersByBadge(db, { keys: list(badges) }),
    (r) => r.badgeNumber,
    (r) => officerById.prime(r.id, r),
  );
  return {
    officerById,
    officerByBadge,
    assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
      groupByKey(ids, await assignmentsOf(db, { keys: list(ids) }), (r) => r.officerId),
    ),
  };
};
