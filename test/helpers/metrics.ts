import { eq } from "drizzle-orm";
import { complaints } from "../../src/db/schema";
import { advanceTo, caseFile } from "./cases";
import { ok, type TestServer } from "./server";

export const MERITS = ["SUSTAINED", "NOT_SUSTAINED", "EXONERATED", "UNFOUNDED", "POLICY_FAILURE"];
export const CLOSURE_REASONS = [
  "WITHDRAWN",
  "MEDIATED",
  "COMPLAINANT_UNAVAILABLE",
  "OFFICER_UNIDENTIFIED",
  "SUBJECT_SEPARATED",
  "REFERRED_TO_PROSECUTOR",
  "ADMINISTRATIVELY_CLOSED",
];

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
  await t.database.db.update(complaints).set(dates).where(eq(complaints.id, id));
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
