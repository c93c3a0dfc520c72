import { asFixture } from "./database";
import { eq, sql, TransactionRollbackError, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../src/db/client";
import { CLOSURE_REASONS as REASONS, FINDINGS, complaints } from "../../src/db/schema";
import { advanceTo, caseFile } from "./cases";
import { ok, type TestServer } from "./server";

/** The schema's lists, as plain strings (tests compare them with outcomes of any string). */
export const MERITS: readonly string[] = FINDINGS;
export const CLOSURE_REASONS: readonly string[] = REASONS;

/** Every figure of trustMetrics, with the children's headline figures. */
export const METRICS = `query($unit: String!, $from: Date!, $to: Date!) { trustMetrics(unitCode: $unit, from: $from, to: $to) {
  unit { code } from to officerCount complaintsReceived complaintsPer100Officers complaintsClosed allegationsWithFinding
  sustainRate medianDaysToClose closedWithinDeadlineRate openCases overdueCases commendations commendationToComplaintRatio
  satisfaction { responses averageRating } byCategory { category allegations sustained } suppressedFields
  children { unit { code } officerCount complaintsReceived openCases suppressedFields }
} }`;

export async function metricsOf(
  t: TestServer,
  role: "ANALYST" | "PUBLIC",
  unit: string,
  from: string,
  to: string,
) {
  const caller = role === "PUBLIC" ? t.public : await t.as(role);
  return ok(await caller.query(METRICS, { unit, from, to })).trustMetrics;
}

/** A moment on a calendar day in Kazakhstan (UTC+5). */
export const at = (day: string, time = "10:00:00") => new Date(`${day}T${time}+05:00`);

/** Moves a complaint's dates with a plain UPDATE (the roll-up triggers follow it like any write). */
export async function moveDates(
  t: TestServer,
  id: string,
  dates: { registeredAt?: Date; responseDueAt?: Date; extendedTo?: Date | null; closedAt?: Date },
) {
  await asFixture(t.database.db, (tx) =>
    tx.update(complaints).set(dates).where(eq(complaints.id, id)),
  );
}

/** Drives a complaint to CLOSED with one outcome per allegation: merits findings, or closure reasons from where it stands. */
export async function closeWith(t: TestServer, id: string, outcomes: string[]) {
  const supervisor = await t.as("SUPERVISOR");
  const merits = outcomes.some((o) => MERITS.includes(o));
  let file = merits ? await advanceTo(t, id, "PENDING_REVIEW") : await caseFile(supervisor, id);
  for (const [i, allegation] of file.allegations.entries()) {
    const outcome = MERITS.includes(outcomes[i])
      ? { finding: outcomes[i] }
      : { closureReason: outcomes[i] };
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId: allegation.id, ...outcome, rationale: "Decided on the file." },
      }),
    );
  }
  file = await caseFile(supervisor, id);
  ok(
    await supervisor.op("CloseComplaint", {
      input: { complaintId: id, expectedVersion: file.version },
    }),
  );
}

/** Each roll-up table, with the rows that carry a figure (incremental deltas can leave all-zero rows behind). */
const ROLLUPS = {
  metrics_daily: `(received, opened, closed, closed_in_time, overdue_started, overdue_ended, feedback_responses,
    feedback_sum, with_finding, sustained, commendations, officers_in, officers_out) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
  metrics_category_daily: "(allegations, sustained) <> (0, 0)",
  metrics_close_days: "complaints <> 0",
};

/**
 * Empties the roll-ups, lets `recount` fill them again, and counts the rows (carrying a figure) in which
 * the two differ, per table; then rolls back, leaving the roll-ups as they were.
 */
export async function rollupDifferences(db: Db, recount: SQL): Promise<Record<string, number>> {
  const differences: Record<string, number> = {};
  await db
    .transaction(async (tx) => {
      const tables = Object.entries(ROLLUPS);
      for (const [table, carries] of tables)
        await tx.execute(
          sql.raw(
            `create temp table kept_${table} on commit drop as select * from ${table} where ${carries}`,
          ),
        );
      await tx.execute(sql.raw(`truncate ${Object.keys(ROLLUPS).join(", ")}`));
      await tx.execute(recount);
      for (const [table, carries] of tables) {
        const now = `(select * from ${table} where ${carries})`;
        const [{ n }] = await rows<{ n: number }>(
          tx,
          sql.raw(`select count(*)::int as n from ((${now} except select * from kept_${table})
            union all (select * from kept_${table} except ${now})) x`),
        );
        differences[table] = n;
      }
      tx.rollback();
    })
    .catch((e: unknown) => {
      if (!(e instanceof TransactionRollbackError)) throw e;
    });
  return differences;
}

/** The recount the metrics migration runs for a database that already holds records: every delta function at once. */
export const DELTA_RECOUNT = sql`select metrics_add(array(
  select d from metrics_of_complaints(array(select c from complaints c), 1) d
  union all select d from metrics_of_allegations(array(select a from allegations a), 1) d
  union all select d from metrics_of_commendations(array(select c from commendations c), 1) d
  union all select d from metrics_of_assignments(array(select a from officer_assignments a), 1) d
  union all select d from metrics_of_separations(array(select s from officer_status_changes s order by s.changed_at)) d))`;

export const NO_DIFFERENCES = {
  metrics_daily: 0,
  metrics_category_daily: 0,
  metrics_close_days: 0,
};
