import DataLoader from "dataloader";
import { asc } from "drizzle-orm";
import { anyOf, type Db } from "../../db/client";
import { officerAssignments, officers, type AssignmentRow, type OfficerRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";
import { unitIdsOn } from "./officer.service";

export const createOfficerLoaders = (db: Db, today: string) => ({
  officerById: new DataLoader<string, OfficerRow | null>(async (ids) =>
    byKey(ids, await db.select().from(officers).where(anyOf(officers.id, ids)), (r) => r.id),
  ),
  officerByBadge: new DataLoader<string, OfficerRow | null>(async (badges) =>
    byKey(badges, await db.select().from(officers).where(anyOf(officers.badgeNumber, badges)), (r) => r.badgeNumber),
  ),
  /** The unit an officer serves in today. */
  currentUnitIdByOfficerId: new DataLoader<string, string | null>(async (ids) =>
    byKey(ids, await unitIdsOn(db, ids, today), (r) => r.officerId).map((r) => r?.unitId ?? null),
  ),
  assignmentsByOfficerId: new DataLoader<string, AssignmentRow[]>(async (ids) =>
    groupByKey(
      ids,
      await db.select().from(officerAssignments).where(anyOf(officerAssignments.officerId, ids)).orderBy(asc(officerAssignments.fromDate)),
      (r) => r.officerId,
    ),
  ),
});
