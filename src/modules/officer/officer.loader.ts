import DataLoader from "dataloader";
import { asc } from "drizzle-orm";
import { anyOf, byKeys, type Db } from "../../db/client";
import { officerAssignments, officers, type AssignmentRow, type OfficerRow } from "../../db/schema";
import { groupByKey, primingLoader } from "../../common/loader";

const officersById = byKeys((db, keys) =>
  db.select().from(officers).where(anyOf(officers.id, keys)).prepare(""),
);
const officersByBadge = byKeys((db, keys) =>
  db.select().from(officers).where(anyOf(officers.badgeNumber, keys)).prepare(""),
);
const assignmentsOf = byKeys((db, keys) =>
  db
    .select()
    .from(officerAssignments)
    .where(anyOf(officerAssignments.officerId, keys))
    .orderBy(asc(officerAssignments.fromDate))
    .prepare(""),
);

/** An officer found by either key is cached under both: a standing found by badge names its officer by id. */
export const createOfficerLoaders = (db: Db) => {
  const officerById: DataLoader<string, OfficerRow | null> = primingLoader(
    (ids) => officersById(db, ids),
    (r) => r.id,
    (r) => officerByBadge.prime(r.badgeNumber, r),
  );
  const officerByBadge: DataLoader<string, OfficerRow | null> = primingLoader(
    (badges) => officersByBadge(db, badges),
    (r) => r.badgeNumber,
    (r) => officerById.prime(r.id, r),
  );
  return {
    officerById,
    officerByBadge,
    assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
      groupByKey(ids, await assignmentsOf(db, ids), (r) => r.officerId),
    ),
  };
};
