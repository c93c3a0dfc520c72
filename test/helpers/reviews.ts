import { asc, eq } from "drizzle-orm";
import { auditLog, disciplinaryReviews } from "../../src/db/schema";
import { advanceTo, DAY, openCase, setDeadline } from "./cases";
import { createDistrict, createOfficer } from "./factories";
import { daysFromToday } from "./officers";
import { ok, type Caller, type TestServer } from "./server";

export type ReviewStatus =
  "OPEN" | "HEARING_SCHEDULED" | "DECIDED" | "APPEALED" | "APPEAL_DECIDED" | "FINAL";

export interface ReviewView {
  id: string;
  version: number;
  status: ReviewStatus;
}

/** A new officer in a new district of Astana (or in `district`). */
export async function newOfficer(t: TestServer, district?: string) {
  const admin = await t.as("ADMIN");
  return createOfficer(admin, { unitCode: district ?? (await createDistrict(admin)) });
}

/**
 * A complaint naming the officer once per category, left REGISTERED; `registeredDaysAgo` backdates it
 * (early-warning windows count from registration).
 */
export async function complaintAgainst(
  t: TestServer,
  badgeNumber: string,
  categories: string[] = ["FORCE"],
  registeredDaysAgo?: number,
) {
  const opened = await openCase(t, { officers: [{ badgeNumber }], categories });
  if (registeredDaysAgo !== undefined) {
    await setDeadline(t.database.db, opened.id, {
      registeredAt: new Date(Date.now() - registeredDaysAgo * DAY),
    });
  }
  return opened;
}

/** An allegation against the officer with a supervisor's SUSTAINED finding (complaint under investigation). */
export async function sustainedAllegation(t: TestServer, badgeNumber: string, category = "FORCE") {
  const opened = await openCase(t, { officers: [{ badgeNumber }], categories: [category] });
  await advanceTo(t, opened.id, "UNDER_INVESTIGATION");
  const supervisor = await t.as("SUPERVISOR");
  ok(
    await supervisor.op("RecordFinding", {
      input: {
        allegationId: opened.allegationIds[0],
        finding: "SUSTAINED",
        rationale: "Video evidence.",
      },
    }),
  );
  return { complaintId: opened.id, allegationId: opened.allegationIds[0] };
}

export const openReview = async (
  t: TestServer,
  badgeNumber: string,
  allegationIds: string[] = [],
  summary = "Internal grounds: late reports.",
) =>
  ok(
    await (
      await t.as("SUPERVISOR")
    ).op("OpenDisciplinaryReview", {
      input: { officerBadge: badgeNumber, allegationIds, summary },
    }),
  ).openDisciplinaryReview.review as ReviewView & {
    allegations: { id: string }[];
    officer: { badgeNumber: string };
  };

export const decisionInput = (review: ReviewView, overrides: Record<string, unknown> = {}) => ({
  reviewId: review.id,
  expectedVersion: review.version,
  penalty: "REPRIMAND",
  effectiveFrom: daysFromToday(-1),
  effectiveUntil: daysFromToday(365),
  rationale: "Repeated breach of conduct rules.",
  aggravatingFactors: ["prior remark"],
  mitigatingFactors: ["long service"],
  ...overrides,
});

/** Every review mutation, by what it does, with the input it needs besides reviewId and expectedVersion. */
export const MOVES = {
  schedule: {
    op: "ScheduleHearing",
    field: "scheduleHearing",
    extra: () => ({ hearingAt: new Date(Date.now() + 7 * DAY).toISOString() }),
  },
  decide: {
    op: "DecideDisciplinaryReview",
    field: "decideDisciplinaryReview",
    extra: () => ({
      penalty: "REPRIMAND",
      effectiveFrom: daysFromToday(-1),
      effectiveUntil: daysFromToday(365),
      rationale: "r",
      aggravatingFactors: [],
      mitigatingFactors: [],
    }),
  },
  appeal: {
    op: "AppealDisciplinaryReview",
    field: "appealDisciplinaryReview",
    extra: () => ({ reason: "Disproportionate." }),
  },
  decideAppeal: {
    op: "DecideAppeal",
    field: "decideAppeal",
    extra: () => ({ outcome: "UPHELD", rationale: "The hearing followed procedure." }),
  },
  finalize: { op: "FinalizeReview", field: "finalizeReview", extra: () => ({}) },
} as const;
export type Move = keyof typeof MOVES;

/** Sends one move as `caller` (a SUPERVISOR by default); returns the raw result. */
export async function move(
  t: TestServer,
  review: ReviewView,
  name: Move,
  extra: Record<string, unknown> = {},
  caller?: Caller,
) {
  const m = MOVES[name];
  const who = caller ?? (await t.as("SUPERVISOR"));
  return who.op(m.op, {
    input: { reviewId: review.id, expectedVersion: review.version, ...m.extra(), ...extra },
  });
}

/** Sends one move that must succeed; returns the review as it now stands. */
export async function moved(
  t: TestServer,
  review: ReviewView,
  name: Move,
  extra: Record<string, unknown> = {},
): Promise<ReviewView> {
  return ok(await move(t, review, name, extra))[MOVES[name].field].review;
}

/** The road to each status, from OPEN. */
const ROAD: Record<ReviewStatus, Move[]> = {
  OPEN: [],
  HEARING_SCHEDULED: ["schedule"],
  DECIDED: ["decide"],
  APPEALED: ["decide", "appeal"],
  APPEAL_DECIDED: ["decide", "appeal", "decideAppeal"],
  FINAL: ["decide", "finalize"],
};

/** A review on internal grounds against `badgeNumber` (a new officer when absent), brought to `status`. */
export async function reviewIn(
  t: TestServer,
  status: ReviewStatus,
  badgeNumber?: string,
  decision: Record<string, unknown> = {},
) {
  const badge = badgeNumber ?? (await newOfficer(t)).badgeNumber;
  let review: ReviewView = await openReview(t, badge);
  for (const step of ROAD[status])
    review = await moved(t, review, step, step === "decide" ? decision : {});
  expect(review.status).toBe(status);
  return { review, badgeNumber: badge };
}

export const reviewRow = async (t: TestServer, id: string) =>
  (await t.database.db.select().from(disciplinaryReviews).where(eq(disciplinaryReviews.id, id)))[0];

export const reviewAudit = (t: TestServer, id: string) =>
  t.database.db.select().from(auditLog).where(eq(auditLog.entityId, id)).orderBy(asc(auditLog.seq));

/** The officer's standing as HR reads it through the contract. */
export async function standingOf(t: TestServer, badgeNumber: string) {
  return ok(await (await t.as("HR")).op("OfficerStanding", { badgeNumber })).officerStanding as {
    standing: string;
    openInvestigations: number;
    sustainedAllegations12m: number;
    commendations12m: number;
    activeSanctions: {
      penalty: string;
      effectiveFrom: string;
      effectiveUntil: string | null;
      decidedAt: string;
    }[];
    earlyWarnings: { rule: string; count: number; threshold: number; windowDays: number }[];
  };
}
