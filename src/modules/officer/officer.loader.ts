import DataLoader from "dataloader";
import { asc, getTableColumns, sql } from "drizzle-orm";
import { anyOf, byKeys, type Db } from "../../db/client";
import {
  officerAssignments,
  officers,
  type AssignmentRow,
  type OfficerRow,
  type UnitRow,
} from "../../db/schema";
import { groupByKey, primingLoader } from "../../common/loader";

const officersById = byKeys((db, keys) =>
  db.select().from(officers).where(anyOf(officers.id, keys)).prepare(""),
);
const officersByBadge = byKeys((db, keys) =>
  db.select().from(officers).where(anyOf(officers.badgeNumber, keys)).prepare(""),
);
/**
 * Each assignment with its unit and the unit's ancestors, as the unit loader would read them: an officer's
 * `unit` (and its `parent`) then costs no statement and no round trip of its own after the assignments.
 */
const assignmentsOf = byKeys((db, keys) =>
  db
    .select({
      ...getTableColumns(officerAssignments),
      units: sql<
        (Omit<UnitRow, "createdAt"> & { createdAt: string })[]
      >`(select json_agg(json_build_object(
          'id', u.id, 'code', u.code, 'name', u.name, 'kind', u.kind, 'parentId', u.parent_id, 'path', u.path,
          'createdAt', u.created_at))
        from units unit join units u on starts_with(unit.path, u.path) where unit.id = ${officerAssignments.unitId})`,
    })
    .from(officerAssignments)
    .where(anyOf(officerAssignments.officerId, keys))
    .orderBy(asc(officerAssignments.fromDate))
    .prepare(""),
);

/** An officer found by either key is cached under both: a standing found by badge names its officer by id. */
export const createOfficerLoaders = (db: Db, primeUnit: (unit: UnitRow) => void) => {
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
    assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) => {
      const found = await assignmentsOf(db, ids);
      for (const { units } of found)
        for (const unit of units ?? []) primeUnit({ ...unit, createdAt: new Date(unit.createdAt) });
      return groupByKey(
        ids,
        found.map(({ units: _, ...assignment }) => assignment),
        (r) => r.officerId,
      );
    }),
  };
};
