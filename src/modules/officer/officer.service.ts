import { todayIn } from "../../common/clock";
import { and, asc, desc, eq, gt, ilike, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { anyOf, PLANNED_PER_CALL, rows, type Queryable, type Tx } from "../../db/client";
import {
  LEFT_THE_FORCE,
  officerAssignments,
  officerStatusChanges,
  officers,
  ranks,
  units,
  type OfficerRow,
} from "../../db/schema";
import { badInput, DomainError, invalidState, notFound, type FieldProblem } from "../../errors";
import { isUniqueViolation } from "../../db/errors";
import { problemsIn } from "../../common/validation";
import { cursorString, readPage, toConnection, type PageArgs } from "../../common/pagination";
import { addDays } from "../../common/dates";
import { UNIT_CODE } from "../unit/unit.input";
import { inUnitSubtree } from "../unit/unit.sql";
import {
  BADGE_NUMBER,
  MAX_IMPORT_ROWS,
  OfficerRowInput,
  type ChangeOfficerStatusInput,
  type CreateOfficerInput,
  type ImportOfficersInput,
  type OfficerFilter,
  type TransferOfficerInput,
} from "./officer.input";

const EARLIEST_HIRE = "1950-01-01";

export async function findOfficer(ctx: Context, badgeNumber: string): Promise<OfficerRow> {
  // No officer holds a malformed badge; and a NUL byte would be a SQL error, not a miss.
  if (!BADGE_NUMBER.test(badgeNumber)) throw notFound("Officer");
  const officer = await ctx.loaders.officerByBadge.load(badgeNumber);
  if (!officer) throw notFound("Officer");
  return officer;
}

/** Officers matching the filter, by badge number, a page at a time. */
export async function listOfficers(
  ctx: Context,
  filter: OfficerFilter | null | undefined,
  args: PageArgs,
) {
  const page = readPage(args);
  const where = await officerConditions(ctx, filter ?? {});
  const after = cursorString(page);
  // The page is found from the indexes alone (officers_id_badge_idx) and only its own rows are read: a
  // district's 500 officers were each read whole to sort them by badge number.
  const onPage = ctx.db
    .select({ id: officers.id })
    .from(officers)
    .where(and(where, after === null ? undefined : gt(officers.badgeNumber, after)))
    .orderBy(asc(officers.badgeNumber))
    .limit(page.limit);
  const rows = await ctx.db
    .select()
    .from(officers)
    .where(inArray(officers.id, onPage))
    .orderBy(asc(officers.badgeNumber));
  return toConnection(
    rows,
    page,
    (r) => [r.badgeNumber],
    async () => {
      // Only a unit's filter (officerConditions adds nothing for the others): the assignments alone count.
      const { unitCode, status, rank, search } = filter ?? {};
      const unit = unitCode ? await ctx.loaders.unitByCode.load(unitCode) : null;
      if (unit && !status?.length && !rank && !search)
        return countServingInSubtree(ctx, unit.path, ctx.today);
      const [{ n }] = await ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(officers)
        .where(where);
      return n;
    },
  );
}

async function officerConditions(ctx: Context, filter: OfficerFilter): Promise<SQL | undefined> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.unitCode) {
    const unit = await ctx.loaders.unitByCode.load(filter.unitCode);
    if (!unit) throw badInput("filter.unitCode", "no unit has this code");
    conditions.push(servingInSubtree(unit.path, ctx.today));
  }
  if (filter.status?.length) conditions.push(anyOf(officers.status, filter.status));
  if (filter.rank) conditions.push(eq(officers.rank, filter.rank));
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(officers.fullName, pattern), ilike(officers.badgeNumber, pattern)));
  }
  return and(...conditions);
}

/** Officers whose assignment covering `day` is in the unit with this path or below it (a district or the whole force). */
export const servingInSubtree = (
  path: string,
  day: string,
  officerId: SQL | typeof officers.id = officers.id,
) => sql`${officerId} in (${PLANNED_PER_CALL}
  select a.officer_id from ${officerAssignments} a where ${servingAssignment(path, day)})`;

/** Assignment `a` covers `day` in the unit with this path or below it. */
const servingAssignment = (path: string, day: string) =>
  sql`${inUnitSubtree(sql`a.unit_id`, path)} and a.from_date <= ${day} and (a.to_date is null or a.to_date > ${day})`;

/**
 * How many officers `servingInSubtree` finds, from the assignments alone (each one's officer exists): a
 * region's count probed officers_pkey for each of its 5,000 officers (21 ms) where this reads the covering
 * officer_assignments_unit_idx only. Each officer has one assignment covering a day (a trigger holds it,
 * migration 0023), so the assignments are counted as they are: de-duplicating a region's 5,000 officer ids
 * was 2.2 of the count's 3.9 ms.
 */
export const countServingInSubtree = async (ctx: Context, path: string, day: string) =>
  (
    await rows<{ n: number }>(
      ctx.db,
      sql`select count(*)::int as n from ${officerAssignments} a where ${servingAssignment(path, day)}`,
    )
  )[0].n;

export async function createOfficer(ctx: Context, input: CreateOfficerInput): Promise<OfficerRow> {
  return inTransaction(ctx, async (tx, audit) => {
    const references = await loadReferences(tx, [input]);
    const [problem] = rowProblems(ctx, input, references, "input");
    if (problem) throw badInput(problem.field, problem.message);
    if (references.existing.has(input.badgeNumber)) {
      throw badInput("input.badgeNumber", "an officer with this badge number already exists");
    }
    const officer = await insertOfficers(tx, [input], references.units, "input.badgeNumber").then(
      (rows) => rows[0],
    );
    audit({ action: "createOfficer", entity: "Officer", entityId: officer.id, input });
    return officer;
  });
}

export interface ImportResult {
  created: number;
  updated: number;
  errors: (FieldProblem & { row: number })[];
}

/**
 * Creates new badge numbers and updates known ones, all or nothing. Every bad row is reported
 * (row numbers count from 1, as in a spreadsheet) and then nothing is written.
 */
export async function importOfficers(
  ctx: Context,
  input: ImportOfficersInput,
): Promise<ImportResult> {
  if (input.officers.length > MAX_IMPORT_ROWS) {
    throw badInput("input.officers", `at most ${MAX_IMPORT_ROWS} rows per import`);
  }
  if (input.officers.length === 0) throw badInput("input.officers", "the roster has no rows");
  return inTransaction(ctx, async (tx, audit) => {
    const rows = input.officers.map((row) => Object.assign(new OfficerRowInput(), row));
    await lockOfficers(
      tx,
      rows.map((r) => r.badgeNumber),
    );
    const references = await loadReferences(tx, rows);
    const errors: ImportResult["errors"] = [];
    const seen = new Set<string>();
    for (const [index, row] of rows.entries()) {
      const problems = await problemsIn(row);
      // A malformed field is reported once, not again as "unknown".
      const malformed = new Set(problems.map((p) => p.field));
      problems.push(
        ...rowProblems(ctx, row, references, "").filter((p) => !malformed.has(p.field)),
      );
      if (seen.has(row.badgeNumber) && !malformed.has("badgeNumber"))
        problems.push({ field: "badgeNumber", message: "badge number repeats an earlier row" });
      seen.add(row.badgeNumber);
      const existing = references.existing.get(row.badgeNumber);
      const unitId = references.units.get(row.unitCode);
      if (existing && unitId && existing.latestUnitId !== unitId) {
        if (existing.latestFrom > ctx.today) {
          problems.push({
            field: "unitCode",
            message: "the officer has a transfer scheduled after today",
          });
        } else if (SEPARATED.has(row.status ?? existing.status)) {
          problems.push({
            field: "unitCode",
            message: "an officer who has left the force cannot be moved to another unit",
          });
        }
      }
      if (
        existing &&
        existing.firstTo !== null &&
        row.hiredAt !== existing.hiredAt &&
        row.hiredAt >= existing.firstTo
      ) {
        problems.push({
          field: "hiredAt",
          message: "hiredAt must be before the officer's first transfer",
        });
      }
      errors.push(...problems.map((p) => ({ row: index + 1, ...p })));
    }
    if (errors.length) return { created: 0, updated: 0, errors };

    const fresh = rows.filter((r) => !references.existing.has(r.badgeNumber));
    const known = rows.filter((r) => references.existing.has(r.badgeNumber));
    const created = await insertOfficers(tx, fresh, references.units, "input.officers");
    // Each record digests its own row of the import, not the whole list a thousand times over.
    created.forEach((officer, i) =>
      audit({ action: "importOfficers", entity: "Officer", entityId: officer.id, input: fresh[i] }),
    );
    if (known.length) {
      await updateOfficers(ctx, tx, known);
      for (const row of known) {
        const existing = references.existing.get(row.badgeNumber)!;
        const unitId = references.units.get(row.unitCode)!;
        if (existing.latestUnitId !== unitId) await moveOfficer(tx, existing.id, unitId, ctx.today);
        audit({ action: "importOfficers", entity: "Officer", entityId: existing.id, input: row });
      }
    }
    return { created: created.length, updated: known.length, errors: [] };
  });
}

const SEPARATED: ReadonlySet<string> = new Set(LEFT_THE_FORCE);

interface ExistingOfficer {
  id: string;
  status: string;
  hiredAt: string;
  latestUnitId: string;
  latestFrom: string;
  /** End of the first assignment, null while the officer has never moved. */
  firstTo: string | null;
}

interface References {
  ranks: Set<string>;
  units: Map<string, string>;
  existing: Map<string, ExistingOfficer>;
}

/**
 * Everything the rows refer to, in four statements however many rows there are. Only well-formed
 * badge numbers and unit codes are looked up: the rest are reported as malformed, and never reach SQL.
 */
async function loadReferences(db: Queryable, rows: CreateOfficerInput[]): Promise<References> {
  const badges = [...new Set(rows.map((r) => r.badgeNumber).filter((b) => BADGE_NUMBER.test(b)))];
  const unitCodes = [...new Set(rows.map((r) => r.unitCode).filter((c) => UNIT_CODE.test(c)))];
  const assignmentsOf = (order: SQL) =>
    db
      .selectDistinctOn([officers.id], {
        id: officers.id,
        badgeNumber: officers.badgeNumber,
        status: officers.status,
        hiredAt: officers.hiredAt,
        unitId: officerAssignments.unitId,
        fromDate: officerAssignments.fromDate,
        toDate: officerAssignments.toDate,
      })
      .from(officers)
      .innerJoin(officerAssignments, eq(officerAssignments.officerId, officers.id))
      .where(anyOf(officers.badgeNumber, badges))
      .orderBy(officers.id, order);
  const [rankRows, unitRows, latestRows, firstRows] = await Promise.all([
    db.select({ code: ranks.code }).from(ranks),
    unitCodes.length
      ? db
          .select({ id: units.id, code: units.code })
          .from(units)
          .where(anyOf(units.code, unitCodes))
      : [],
    badges.length ? assignmentsOf(desc(officerAssignments.fromDate)) : [],
    badges.length ? assignmentsOf(asc(officerAssignments.fromDate)) : [],
  ]);
  const firstTo = new Map(firstRows.map((r) => [r.id, r.toDate]));
  return {
    ranks: new Set(rankRows.map((r) => r.code)),
    units: new Map(unitRows.map((u) => [u.code, u.id])),
    existing: new Map(
      latestRows.map((r) => [
        r.badgeNumber,
        {
          id: r.id,
          status: r.status,
          hiredAt: r.hiredAt,
          latestUnitId: r.unitId,
          latestFrom: r.fromDate,
          firstTo: firstTo.get(r.id) ?? null,
        },
      ]),
    ),
  };
}

/** Checks that need the database or today's date; `prefix` is "input" for single rows, "" for import rows. */
function rowProblems(
  ctx: Context,
  row: CreateOfficerInput,
  refs: References,
  prefix: string,
): FieldProblem[] {
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const problems: FieldProblem[] = [];
  if (!refs.ranks.has(row.rank))
    problems.push({ field: field("rank"), message: "no rank has this code" });
  if (!refs.units.has(row.unitCode))
    problems.push({ field: field("unitCode"), message: "no unit has this code" });
  if (row.hiredAt > ctx.today)
    problems.push({ field: field("hiredAt"), message: "hiredAt cannot be in the future" });
  if (row.hiredAt < EARLIEST_HIRE)
    problems.push({
      field: field("hiredAt"),
      message: `hiredAt cannot be before ${EARLIEST_HIRE}`,
    });
  return problems;
}

/** `field` names the input blamed when a concurrent request took one of the badge numbers first. */
async function insertOfficers(
  tx: Tx,
  rows: (CreateOfficerInput & { status?: OfficerRow["status"] | null })[],
  unitIds: Map<string, string>,
  field: string,
) {
  if (!rows.length) return [];
  const created: OfficerRow[] = [];
  // Chunks keep each statement under PostgreSQL's 65535-parameter limit.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const inserted = await tx
      .insert(officers)
      .values(
        chunk.map((r) => ({
          badgeNumber: r.badgeNumber,
          fullName: r.fullName,
          rank: r.rank,
          hiredAt: r.hiredAt,
          status: r.status ?? "ACTIVE",
        })),
      )
      .returning()
      .catch((e: unknown) => {
        throw isUniqueViolation(e)
          ? badInput(field, "an officer with this badge number already exists")
          : e;
      });
    const idByBadge = new Map(inserted.map((o) => [o.badgeNumber, o.id]));
    await tx.insert(officerAssignments).values(
      chunk.map((r) => ({
        officerId: idByBadge.get(r.badgeNumber)!,
        unitId: unitIds.get(r.unitCode)!,
        fromDate: r.hiredAt,
      })),
    );
    // An officer recorded as already gone left on the day of the import, as far as the record knows:
    // the status history says so, and officer counts in the trust metrics follow it.
    const separated = inserted.filter((o) => SEPARATED.has(o.status));
    if (separated.length) {
      await tx.insert(officerStatusChanges).values(
        separated.map((o) => ({
          officerId: o.id,
          fromStatus: "ACTIVE",
          toStatus: o.status,
          reason: "recorded as separated when created",
        })),
      );
    }
    created.push(...inserted);
  }
  return created;
}

/**
 * One statement for all known rows; status changes are also written to the status history, and a
 * corrected hiring date moves the start of the first assignment with it (service begins on hiring).
 */
async function updateOfficers(ctx: Context, tx: Tx, rows: OfficerRowInput[]) {
  const payload = JSON.stringify(
    rows.map((r) => ({
      badge: r.badgeNumber,
      full_name: r.fullName,
      rank: r.rank,
      hired_at: r.hiredAt,
      status: r.status ?? null,
    })),
  );
  await tx.execute(sql`
    with incoming as (
      select * from jsonb_to_recordset(${payload}::jsonb) as x(badge text, full_name text, rank text, hired_at date, status text)
    ), changed as (
      insert into ${officerStatusChanges} (officer_id, from_status, to_status, reason, changed_by)
      select o.id, o.status, i.status, 'roster import', ${ctx.principal?.id ?? null}::uuid
      from incoming i join ${officers} o on o.badge_number = i.badge
      where i.status is not null and i.status <> o.status
    ), rehired as (
      update ${officerAssignments} a set from_date = i.hired_at
      from incoming i join ${officers} o on o.badge_number = i.badge
      where a.officer_id = o.id and a.from_date = o.hired_at and i.hired_at <> o.hired_at
        and not exists (select 1 from ${officerAssignments} e where e.officer_id = o.id and e.from_date < a.from_date)
    )
    update ${officers} o set full_name = i.full_name, rank = i.rank, hired_at = i.hired_at,
      status = coalesce(i.status, o.status), updated_at = now()
    from incoming i where o.badge_number = i.badge`);
}

/** Ends the latest assignment the day before `from` and opens one in the new unit. */
async function moveOfficer(tx: Tx, officerId: string, unitId: string, from: string) {
  const [latest] = await tx
    .select()
    .from(officerAssignments)
    .where(eq(officerAssignments.officerId, officerId))
    .orderBy(desc(officerAssignments.fromDate))
    .limit(1);
  if (latest && latest.fromDate === from) {
    // A second move on the same day replaces the first rather than leaving a zero-length assignment.
    await tx.update(officerAssignments).set({ unitId }).where(eq(officerAssignments.id, latest.id));
    return;
  }
  if (latest)
    await tx
      .update(officerAssignments)
      .set({ toDate: from })
      .where(eq(officerAssignments.id, latest.id));
  await tx.insert(officerAssignments).values({ officerId, unitId, fromDate: from });
}

export async function transferOfficer(
  ctx: Context,
  input: TransferOfficerInput,
): Promise<OfficerRow> {
  const effectiveFrom = input.effectiveFrom ?? ctx.today;
  if (effectiveFrom > addDays(ctx.today, 366)) {
    throw badInput("input.effectiveFrom", "effectiveFrom can be at most a year ahead");
  }
  return inTransaction(ctx, async (tx, audit) => {
    const officer = await lockOfficer(tx, input.badgeNumber);
    if (SEPARATED.has(officer.status)) {
      throw invalidState("An officer who has left the force cannot be transferred");
    }
    const [unit] = await tx.select().from(units).where(eq(units.code, input.unitCode));
    if (!unit) throw badInput("input.unitCode", "no unit has this code");
    const [latest] = await tx
      .select()
      .from(officerAssignments)
      .where(eq(officerAssignments.officerId, officer.id))
      .orderBy(desc(officerAssignments.fromDate))
      .limit(1);
    if (latest.unitId === unit.id)
      throw badInput("input.unitCode", "the officer is already assigned to this unit");
    if (effectiveFrom <= latest.fromDate) {
      throw badInput(
        "input.effectiveFrom",
        "effectiveFrom must be after the start of the officer's latest assignment",
      );
    }
    await moveOfficer(tx, officer.id, unit.id, effectiveFrom);
    audit({ action: "transferOfficer", entity: "Officer", entityId: officer.id, input });
    return officer;
  });
}

export async function changeOfficerStatus(
  ctx: Context,
  input: ChangeOfficerStatusInput,
): Promise<OfficerRow> {
  return inTransaction(ctx, async (tx, audit) => {
    const officer = await lockOfficer(tx, input.badgeNumber);
    if (officer.status === input.status)
      throw invalidState(`The officer's status is already ${input.status}`);
    const [updated] = await tx
      .update(officers)
      .set({ status: input.status, updatedAt: ctx.now })
      .where(eq(officers.id, officer.id))
      .returning();
    await tx.insert(officerStatusChanges).values({
      officerId: officer.id,
      fromStatus: officer.status,
      toStatus: input.status,
      reason: input.reason,
      changedBy: ctx.principal?.id ?? null,
    });
    audit({ action: "changeOfficerStatus", entity: "Officer", entityId: officer.id, input });
    return updated;
  });
}

/**
 * Locks the known officers among these badge numbers, in id order so that two imports cannot deadlock:
 * what the import then reads about them (latest assignment, status) stays true until it commits.
 */
async function lockOfficers(tx: Tx, badgeNumbers: string[]) {
  const wellFormed = [...new Set(badgeNumbers.filter((b) => BADGE_NUMBER.test(b)))];
  if (!wellFormed.length) return;
  await tx
    .select({ id: officers.id })
    .from(officers)
    .where(anyOf(officers.badgeNumber, wellFormed))
    .orderBy(asc(officers.id))
    .for("update");
}

/** Row lock so that concurrent transfers or status changes of one officer queue up. */
async function lockOfficer(tx: Tx, badgeNumber: string): Promise<OfficerRow> {
  const [officer] = await tx
    .select()
    .from(officers)
    .where(eq(officers.badgeNumber, badgeNumber))
    .for("update");
  if (!officer)
    throw new DomainError("NOT_FOUND", "Officer not found", { field: "input.badgeNumber" });
  return officer;
}

/** The officer with this badge and the unit they served in on the local day of `at`; BAD_USER_INPUT on `field` if unknown. */
export async function officerOnDay(ctx: Context, tx: Tx, badge: string, field: string, at: Date) {
  const [officer] = await tx
    .select({ id: officers.id })
    .from(officers)
    .where(eq(officers.badgeNumber, badge));
  if (!officer) throw badInput(field, "no officer has this badge number");
  const [assignment] = await unitIdsOn(tx, [officer.id], todayIn(ctx.config.timeZone, at));
  return { officerId: officer.id, unitId: assignment?.unitId ?? null };
}

/** The unit each officer serves in on `day`: the latest assignment that has started. */
export function unitIdsOn(db: Queryable, officerIds: readonly string[], day: string) {
  return db
    .selectDistinctOn([officerAssignments.officerId], {
      officerId: officerAssignments.officerId,
      unitId: officerAssignments.unitId,
    })
    .from(officerAssignments)
    .where(
      and(anyOf(officerAssignments.officerId, officerIds), lte(officerAssignments.fromDate, day)),
    )
    .orderBy(officerAssignments.officerId, desc(officerAssignments.fromDate));
}
