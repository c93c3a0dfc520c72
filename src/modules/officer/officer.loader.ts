import DataLoader from "dataloader";
import { sql } from "drizzle-orm";
import { arrayParam, byKeys, preparedRows, type Db } from "../../db/client";
import { tableRows } from "../../db/table-rows";
import { officers, type AssignmentRow, type OfficerRow, type UnitRow } from "../../db/schema";
import { primingLoader } from "../../common/loader";
import { partLoader, type OfficerPart, type OfficerPartsLoader } from "./officer.parts";

const officerRows = tableRows(officers, "o");
const officersBy = (column: "id" | "badge_number", type: string) =>
  byKeys((db, keys) =>
    preparedRows<Record<string, unknown>>(
      db,
      sql`select ${officerRows.columns} from officers o
        where o.${sql.raw(column)} = any(${arrayParam(keys, type)})`,
    ),
  );
const [officersById, officersByBadge] = [
  officersBy("id", "uuid"),
  officersBy("badge_number", "text"),
];
/**
 * The officer's assignments, oldest first, each with its unit and the unit's ancestors as the unit loader
 * would read them: an officer's `unit` (and its `parent`) then costs no statement of its own. A part of the
 * request's officer statement (officer.parts.ts).
 */
const ASSIGNMENTS: OfficerPart = {
  id: "assignments",
  sql: sql`(select coalesce(json_agg(json_build_object('id', a.id, 'officerId', a.officer_id, 'unitId', a.unit_id,
      'fromDate', a.from_date, 'toDate', a.to_date, 'units', (select json_agg(json_build_object(
        'id', u.id, 'code', u.code, 'name', u.name, 'kind', u.kind, 'parentId', u.parent_id, 'path', u.path,
        'createdAt', u.created_at))
      from units unit join units u on starts_with(unit.path, u.path) where unit.id = a.unit_id))
    order by a.from_date), '[]')
    from officer_assignments a where a.officer_id = o.id)`,
};
type AssignmentWithUnits = AssignmentRow & {
  units: (Omit<UnitRow, "createdAt"> & { createdAt: string })[] | null;
};

/** An officer found by either key is cached under both: a standing found by badge names its officer by id. */
export const createOfficerLoaders = (
  db: Db,
  parts: () => OfficerPartsLoader,
  primeUnit: (unit: UnitRow) => void,
) => {
  const officerById: DataLoader<string, OfficerRow | null> = primingLoader(
    async (ids) => (await officersById(db, ids)).map(officerRows.map),
    (r) => r.id,
    (r) => officerByBadge.prime(r.badgeNumber, r),
  );
  const officerByBadge: DataLoader<string, OfficerRow | null> = primingLoader(
    async (badges) => (await officersByBadge(db, badges)).map(officerRows.map),
    (r) => r.badgeNumber,
    (r) => officerById.prime(r.id, r),
  );
  return {
    officerById,
    officerByBadge,
    assignmentsByOfficerId: partLoader(parts, ASSIGNMENTS, (value) =>
      ((value ?? []) as AssignmentWithUnits[]).map(({ units, ...assignment }): AssignmentRow => {
        for (const unit of units ?? []) primeUnit({ ...unit, createdAt: new Date(unit.createdAt) });
        return assignment;
      }),
    ),
  };
};
