import { asFixture } from "./database";
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../src/db/client";
import { allegations, auditLog, complaintEvents, complaints } from "../../src/db/schema";
import { complaintId, submitComplaint } from "./complaints";
import { ok, type Caller, type TestServer } from "./server";

/** The case file as internal affairs reads it (the contract's CaseFile, without `reviews`). */
export const CASE_FILE = `query CaseFile($id: ID!) {
  complaint(id: $id) {
    id version trackingNumber status channel language registeredAt responseDueAt extendedTo closedAt overdue
    incidentAt incidentPlace narrative anonymous
    complainant { fullName email phone type }
    assignee { id name }
    allegations {
      id category description
      officer { id badgeNumber fullName rank }
      unitAtIncident { code }
      recommendedFinding finding closureReason findingRationale
    }
    timeline { at kind note publicMessage actor { id name } }
  }
}`;

export type Status =
  "REGISTERED" | "ASSIGNED" | "UNDER_INVESTIGATION" | "PENDING_REVIEW" | "CLOSED" | "REOPENED";
export const STATUSES: Status[] = [
  "REGISTERED",
  "ASSIGNED",
  "UNDER_INVESTIGATION",
  "PENDING_REVIEW",
  "CLOSED",
  "REOPENED",
];

export interface AllegationView {
  id: string;
  category: string;
  description: string | null;
  officer: { id: string; badgeNumber: string; fullName: string; rank: string } | null;
  unitAtIncident: { code: string } | null;
  recommendedFinding: string | null;
  finding: string | null;
  closureReason: string | null;
  findingRationale: string | null;
}

export interface TimelineView {
  at: string;
  kind: string;
  note: string | null;
  publicMessage: string | null;
  actor: { id: string; name: string } | null;
}

export interface CaseFileView {
  id: string;
  version: number;
  trackingNumber: string;
  status: Status;
  language: string;
  registeredAt: string;
  responseDueAt: string;
  extendedTo: string | null;
  closedAt: string | null;
  overdue: boolean;
  narrative: string | null;
  complainant: {
    fullName: string | null;
    email: string | null;
    phone: string | null;
    type: string | null;
  } | null;
  assignee: { id: string; name: string } | null;
  allegations: AllegationView[];
  timeline: TimelineView[];
}

export async function caseFile(caller: Caller, id: string): Promise<CaseFileView> {
  return ok(await caller.query(CASE_FILE, { id })).complaint;
}

/**
 * Registers a complaint through the public form (overrides as for complaintInput) and returns its id,
 * its receipt and its allegations' ids, oldest first.
 */
export async function openCase(t: TestServer, overrides: Record<string, unknown> = {}) {
  const supervisor = await t.as("SUPERVISOR");
  const { input, receipt } = await submitComplaint(t.public, overrides);
  const id = await complaintId(supervisor, receipt.trackingNumber);
  const file = await caseFile(supervisor, id);
  return { id, input, receipt, allegationIds: file.allegations.map((a) => a.id) };
}

/** The next step on the usual road: REGISTERED → ASSIGNED → UNDER_INVESTIGATION → PENDING_REVIEW → CLOSED → REOPENED. */
async function step(t: TestServer, file: CaseFileView): Promise<void> {
  const supervisor = await t.as("SUPERVISOR");
  const complaint = { complaintId: file.id, expectedVersion: file.version };
  switch (file.status) {
    case "REGISTERED":
      ok(
        await supervisor.op("AssignComplaint", {
          input: { ...complaint, assigneeId: (await t.as("INVESTIGATOR")).principalId },
        }),
      );
      return;
    case "ASSIGNED":
    case "REOPENED":
      ok(await supervisor.op("StartInvestigation", { input: complaint }));
      return;
    case "UNDER_INVESTIGATION":
      ok(await supervisor.op("SubmitForReview", { input: complaint }));
      return;
    case "PENDING_REVIEW": {
      let version = file.version;
      for (const a of file.allegations.filter((a) => !a.finding && !a.closureReason)) {
        ok(
          await supervisor.op("RecordFinding", {
            input: {
              allegationId: a.id,
              finding: "NOT_SUSTAINED",
              rationale: "No evidence.",
              expectedVersion: version,
            },
          }),
        );
        version++;
      }
      ok(
        await supervisor.op("CloseComplaint", {
          input: { complaintId: file.id, expectedVersion: version },
        }),
      );
      return;
    }
    case "CLOSED":
      ok(await supervisor.op("ReopenComplaint", { input: complaint }));
      return;
  }
}

/** Drives a complaint along the usual road (as a SUPERVISOR) until it has this status; returns the case file. */
export async function advanceTo(t: TestServer, id: string, status: Status): Promise<CaseFileView> {
  const supervisor = await t.as("SUPERVISOR");
  let file = await caseFile(supervisor, id);
  for (let steps = 0; file.status !== status; steps++) {
    if (steps > 6) throw new Error(`${id} never reached ${status}`);
    await step(t, file);
    file = await caseFile(supervisor, id);
  }
  return file;
}

/** A new complaint with this status (and its case file). */
export async function caseIn(
  t: TestServer,
  status: Status,
  overrides: Record<string, unknown> = {},
) {
  const opened = await openCase(t, overrides);
  return { ...opened, file: await advanceTo(t, opened.id, status) };
}

/** The complaint's row as stored. */
export const complaintRow = async (db: Db, id: string) =>
  (await db.select().from(complaints).where(eq(complaints.id, id)))[0];

export const allegationRows = (db: Db, complaintId: string) =>
  db
    .select()
    .from(allegations)
    .where(eq(allegations.complaintId, complaintId))
    .orderBy(asc(allegations.createdAt), asc(allegations.id));

export const timelineRows = (db: Db, complaintId: string) =>
  db
    .select()
    .from(complaintEvents)
    .where(eq(complaintEvents.complaintId, complaintId))
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id));

export const auditRowsAbout = (db: Db, entityId: string) =>
  db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(asc(auditLog.seq));

/** Everything a refused change must leave as it was: the row, its allegations, its timeline and its audit records. */
export async function everythingAbout(db: Db, id: string) {
  const [row, allegationList, timeline, audit] = await Promise.all([
    complaintRow(db, id),
    allegationRows(db, id),
    timelineRows(db, id),
    auditRowsAbout(db, id),
  ]);
  return { row, allegations: allegationList, timeline, audit };
}

/** Moves the deadlines directly in the database (to make a complaint overdue, or to order a queue). */
export async function setDeadline(
  db: Db,
  id: string,
  deadline: { responseDueAt?: Date; extendedTo?: Date | null; registeredAt?: Date },
) {
  await asFixture(db, (tx) => tx.update(complaints).set(deadline).where(eq(complaints.id, id)));
}

/**
 * How many SQL statements the server sent while `work` ran (this test file's database only), and their
 * texts. A batch of one key goes as `array[$1::type]` where a larger one goes as `$1::type[]`
 * (src/db/client.ts): the texts show both as the latter, the same read whatever the batch's size.
 */
export async function statementsDuring<T>(
  t: TestServer,
  work: () => Promise<T>,
): Promise<{ result: T; statements: number; texts: string[] }> {
  const before = t.database.statements.count;
  const texts = new Set<string>();
  t.database.statements.listener = (text) =>
    texts.add(text.replace(/array\[(\$\d+)::(\w+)\]/g, "$1::$2[]"));
  try {
    const result = await work();
    return { result, statements: t.database.statements.count - before, texts: [...texts].sort() };
  } finally {
    t.database.statements.listener = undefined;
  }
}

export const DAY = 86_400_000;
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);
