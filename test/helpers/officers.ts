import { asc, eq, inArray, sql } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { todayIn } from "../../src/common/clock";
import { addDays, addMonths } from "../../src/common/dates";
import { rows, type Db } from "../../src/db/client";
import { auditLog, officerAssignments, officers, officerStatusChanges } from "../../src/db/schema";
import { officerInput } from "./factories";
import { ok, type Caller } from "./server";

/** An officer's record as a reader sees it, with the unit in force today and the history. */
export const OFFICER = `query Officer($badgeNumber: String!) {
  officer(badgeNumber: $badgeNumber) {
    id badgeNumber fullName rank status hiredAt
    unit { code }
    assignments { unit { code } from to }
  }
}`;

/** A page of officers, by badge number. */
export const OFFICERS = `query Officers($filter: OfficerFilter, $first: Int, $after: String) {
  officers(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { badgeNumber } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface OfficerView {
  id: string;
  badgeNumber: string;
  fullName: string;
  rank: string;
  status: string;
  hiredAt: string;
  unit: { code: string };
  assignments: { unit: { code: string }; from: string; to: string | null }[];
}

/** Today as the server counts it (its configured time zone). */
export const today = () => todayIn(loadConfig({ NODE_ENV: "test" }).timeZone);
export const daysFromToday = (days: number) => addDays(today(), days);
/** A date this many years ahead, for a window that must still be open whenever the test runs. */
export const yearsFromToday = (years: number) => addMonths(today(), 12 * years);

export async function readOfficer(caller: Caller, badgeNumber: string): Promise<OfficerView> {
  return ok(await caller.query(OFFICER, { badgeNumber })).officer;
}

/** Badge numbers on one page of `officers`, with what the page says about the rest. */
export async function officersPage(caller: Caller, variables: Record<string, unknown>) {
  const { officers: page } = ok(await caller.query(OFFICERS, variables));
  return {
    badges: page.edges.map(
      (e: { node: { badgeNumber: string } }) => e.node.badgeNumber,
    ) as string[],
    totalCount: page.totalCount as number,
    hasNextPage: page.pageInfo.hasNextPage as boolean,
    endCursor: page.pageInfo.endCursor as string | null,
  };
}

/** One roster row for ImportOfficers; same shape as CreateOfficer's input. */
export const rosterRow = (overrides: Record<string, unknown> = {}) => officerInput(overrides);

/** Imports `count` new officers into a unit and returns their badge numbers, sorted. */
export async function staffUnit(
  admin: Caller,
  unitCode: string,
  count: number,
  overrides: Record<string, unknown> = {},
) {
  const rowsToSend = Array.from({ length: count }, () => rosterRow({ unitCode, ...overrides }));
  const { importOfficers } = ok(
    await admin.op("ImportOfficers", { input: { officers: rowsToSend } }),
  );
  expect(importOfficers).toEqual({ created: count, updated: 0, errors: [] });
  return rowsToSend.map((r) => r.badgeNumber).sort();
}

/** What the database holds for these badge numbers (one with a NUL byte cannot be stored, nor asked for). */
export const officerRows = (db: Db, badgeNumbers: string[]) =>
  db
    .select()
    .from(officers)
    .where(
      inArray(
        officers.badgeNumber,
        badgeNumbers.filter((b) => !b.includes("\0")),
      ),
    );

export const assignmentRows = (db: Db, officerId: string) =>
  db
    .select()
    .from(officerAssignments)
    .where(eq(officerAssignments.officerId, officerId))
    .orderBy(asc(officerAssignments.fromDate));

export const statusChangeRows = (db: Db, officerId: string) =>
  db.select().from(officerStatusChanges).where(eq(officerStatusChanges.officerId, officerId));

/** Audit records about one record, oldest first. */
export const auditRecordsAbout = (db: Db, entityId: string) =>
  db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(asc(auditLog.seq));

/** Audit records written on behalf of one principal (give each test its own to count exactly). */
export const auditRecordsBy = (db: Db, principalId: string | null) =>
  db
    .select()
    .from(auditLog)
    .where(eq(auditLog.principalId, principalId!))
    .orderBy(asc(auditLog.seq));

/** The audit rows exactly as stored, every column, for checks that no personal data slipped in. */
export const rawAuditRows = (db: Db, entityIds: string[]) =>
  rows<Record<string, unknown>>(
    db,
    sql`select * from ${auditLog} where ${inArray(auditLog.entityId, entityIds)}`,
  );
