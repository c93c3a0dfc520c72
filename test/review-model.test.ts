import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { inArray, sql } from "drizzle-orm";
import { disciplinaryReviews, reviewAllegations } from "../src/db/schema";
import { advanceTo, openCase } from "./helpers/cases";
import { createOfficer } from "./helpers/factories";
import { daysFromToday, today } from "./helpers/officers";
import {
  assertProperty,
  AuditLedger,
  describeResult,
  matches,
  propertySettings,
  rootField,
  type Refusal,
  type Who,
} from "./helpers/properties";
import { newOfficer, sustainedAllegation } from "./helpers/reviews";
import { ok, startTestServer, type TestServer } from "./helpers/server";
import type { TracedResult } from "./helpers/audit";

// Thousands of requests: far from the 60 s default on a loaded 2-core machine, and a test cut off
// mid-way leaves its requests running into the next one.
jest.setTimeout(300_000);

/**
 * The disciplinary-review workflow (DESIGN.md section 2) against a model: random sequences of opening
 * and moving reviews, valid and invalid, from every role, with stale versions, unknown and malformed
 * ids and races, must leave the reviews (and the officer's standing) exactly as the model says.
 */

let t: TestServer;
let ledger: AuditLedger;
let admin: Awaited<ReturnType<TestServer["as"]>>;
/** Officer A has two SUSTAINED allegations and one NOT_SUSTAINED; officer B one SUSTAINED. */
let officerA: { id: string; badgeNumber: string };
let officerB: { id: string; badgeNumber: string };
let sustainedA: string[];
let notSustainedA: string;
let sustainedB: string;
/** Penalty codes, lightest first. */
const PENALTIES = [
  "NO_ACTION",
  "TRAINING",
  "REMARK",
  "REPRIMAND",
  "SEVERE_REPRIMAND",
  "INCOMPLETE_SERVICE_COMPLIANCE",
  "DEMOTION_IN_POSITION",
  "DEMOTION_IN_RANK",
  "DISMISSAL",
];

beforeAll(async () => {
  t = await startTestServer();
  ledger = new AuditLedger(t);
  admin = await t.as("ADMIN");
  [officerA, officerB] = await Promise.all([newOfficer(t), newOfficer(t)]);
  sustainedA = [
    (await sustainedAllegation(t, officerA.badgeNumber)).allegationId,
    (await sustainedAllegation(t, officerA.badgeNumber, "CORRUPTION")).allegationId,
  ];
  sustainedB = (await sustainedAllegation(t, officerB.badgeNumber)).allegationId;
  const cleared = await openCase(t, {
    officers: [{ badgeNumber: officerA.badgeNumber }],
    categories: ["DISCOURTESY"],
  });
  await advanceTo(t, cleared.id, "UNDER_INVESTIGATION");
  notSustainedA = cleared.allegationIds[0];
  ok(
    await (
      await t.as("SUPERVISOR")
    ).op("RecordFinding", {
      input: { allegationId: notSustainedA, finding: "NOT_SUSTAINED", rationale: "No evidence." },
    }),
  );
});
afterAll(() => t.close());

type Status = "OPEN" | "HEARING_SCHEDULED" | "DECIDED" | "APPEALED" | "APPEAL_DECIDED" | "FINAL";

interface ReviewModel {
  id: string;
  officerId: string;
  status: Status;
  version: number;
  hearing: boolean;
  penalty: string | null;
  originalPenalty: string | null;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
  appealOutcome: string | null;
  overturned: boolean;
  allegations: number;
}

interface Model {
  /** This run's own officer, with no allegations: their standing follows from the reviews alone. */
  officer: { id: string; badgeNumber: string };
  reviews: ReviewModel[];
}

type Target = { kind: "known"; index: number } | { kind: "unknown" } | { kind: "malformed" };
type Version = "current" | "stale" | "absent";
type Subject = "mine" | "A" | "unknown" | "malformed";
type Grounds =
  | "internal"
  | "sustainedA"
  | "bothSustainedA"
  | "notSustainedA"
  | "sustainedB"
  | "unknownId"
  | "repeat"
  | "malformedId";
type Window = "current" | "permanent" | "future" | "inverted" | "badDate";

type Step =
  | {
      op: "OpenDisciplinaryReview";
      who: Who;
      subject: Subject;
      grounds: Grounds;
      summary: "ok" | "blank" | "long";
    }
  | {
      op: "ScheduleHearing";
      who: Who;
      target: Target;
      version: Version;
      when: "future" | "past" | "badDate";
    }
  | {
      op: "DecideDisciplinaryReview";
      who: Who;
      target: Target;
      version: Version;
      penalty: string;
      window: Window;
      rationale: "ok" | "empty";
    }
  | {
      op: "AppealDisciplinaryReview" | "FinalizeReview";
      who: Who;
      target: Target;
      version: Version;
    }
  | {
      op: "DecideAppeal";
      who: Who;
      target: Target;
      version: Version;
      outcome: string;
      penalty: string | null;
    };
type Race = { op: "Race"; index: number; first: Step; second: Step };
type Advance = { op: "Advance"; index: number; pick: number };

// --- generators ---------------------------------------------------------------------------------

const who = fc.oneof(
  { arbitrary: fc.constant<Who>("SUPERVISOR"), weight: 14 },
  {
    arbitrary: fc.constantFrom<Who>("INVESTIGATOR", "HR", "ANALYST", "AUDITOR", "ADMIN", "PUBLIC"),
    weight: 2,
  },
);
const target = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("known" as const), index: fc.nat(5) }), weight: 14 },
  { arbitrary: fc.constantFrom<Target>({ kind: "unknown" }, { kind: "malformed" }), weight: 2 },
);
const version = fc.oneof(
  { arbitrary: fc.constant<Version>("current"), weight: 12 },
  { arbitrary: fc.constant<Version>("stale"), weight: 2 },
  { arbitrary: fc.constant<Version>("absent"), weight: 1 },
);
const penalty = fc.oneof(
  { arbitrary: fc.constantFrom(...PENALTIES), weight: 12 },
  { arbitrary: fc.constantFrom("FLOGGING", "bad code!"), weight: 1 },
);

const stepWith = (
  w: fc.Arbitrary<Who>,
  tg: fc.Arbitrary<Target>,
  v: fc.Arbitrary<Version>,
  opens = true,
): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      arbitrary: fc.record({
        op: fc.constant("OpenDisciplinaryReview" as const),
        who: w,
        subject: fc.constantFrom<Subject>("mine", "mine", "mine", "A", "A", "unknown", "malformed"),
        grounds: fc.constantFrom<Grounds>(
          "internal",
          "internal",
          "internal",
          "sustainedA",
          "bothSustainedA",
          "notSustainedA",
          "sustainedB",
          "unknownId",
          "repeat",
          "malformedId",
        ),
        summary: fc.constantFrom(
          "ok" as const,
          "ok" as const,
          "ok" as const,
          "blank" as const,
          "long" as const,
        ),
      }),
      weight: opens ? 3 : 0,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("ScheduleHearing" as const),
        who: w,
        target: tg,
        version: v,
        when: fc.constantFrom(
          "future" as const,
          "future" as const,
          "past" as const,
          "badDate" as const,
        ),
      }),
      weight: 3,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("DecideDisciplinaryReview" as const),
        who: w,
        target: tg,
        version: v,
        penalty,
        window: fc.constantFrom<Window>(
          "current",
          "current",
          "current",
          "permanent",
          "future",
          "inverted",
          "badDate",
        ),
        rationale: fc.constantFrom("ok" as const, "ok" as const, "ok" as const, "empty" as const),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({
        op: fc.constantFrom("AppealDisciplinaryReview" as const, "FinalizeReview" as const),
        who: w,
        target: tg,
        version: v,
      }),
      weight: 5,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("DecideAppeal" as const),
        who: w,
        target: tg,
        version: v,
        outcome: fc.constantFrom("UPHELD", "REDUCED", "REDUCED", "OVERTURNED", "QUASHED"),
        penalty: fc.option(penalty, { freq: 3 }),
      }),
      weight: 4,
    },
  );

const step = stepWith(who, target, version);
const supervisorStep = stepWith(
  fc.constant<Who>("SUPERVISOR"),
  fc.constant<Target>({ kind: "known", index: 0 }),
  fc.constant<Version>("current"),
  false,
);
const race: fc.Arbitrary<Race> = fc.record({
  op: fc.constant("Race" as const),
  index: fc.nat(5),
  first: supervisorStep,
  second: supervisorStep,
});
const advance: fc.Arbitrary<Advance> = fc.record({
  op: fc.constant("Advance" as const),
  index: fc.nat(5),
  pick: fc.nat(20),
});
const scenario = fc.array(
  fc.oneof(
    { arbitrary: step, weight: 6 },
    { arbitrary: advance, weight: 4 },
    { arbitrary: race, weight: 1 },
  ),
  {
    minLength: 4,
    maxLength: 30,
    size: "max",
  },
);

/** The usual next move of a review: OPEN → (hearing →) DECIDED → (appeal → appeal decided →) FINAL; then a new review. */
function roadStep(m: Model, a: Advance): Step {
  const index = a.index % m.reviews.length;
  const r = m.reviews[index];
  const base = {
    who: "SUPERVISOR" as const,
    target: { kind: "known" as const, index },
    version: "current" as const,
  };
  const severity = PENALTIES.indexOf(r.penalty ?? "NO_ACTION");
  switch (r.status) {
    case "OPEN":
      if (a.pick % 3 === 0) return { ...base, op: "ScheduleHearing", when: "future" };
    // falls through
    case "HEARING_SCHEDULED":
      return {
        ...base,
        op: "DecideDisciplinaryReview",
        penalty: PENALTIES[1 + (a.pick % (PENALTIES.length - 1))],
        window: a.pick % 4 === 0 ? "permanent" : "current",
        rationale: "ok",
      };
    case "DECIDED":
      return { ...base, op: a.pick % 3 === 0 ? "FinalizeReview" : "AppealDisciplinaryReview" };
    case "APPEALED": {
      const outcome = ["UPHELD", "REDUCED", "OVERTURNED"][a.pick % 3];
      if (outcome === "REDUCED" && severity > 0)
        return { ...base, op: "DecideAppeal", outcome, penalty: PENALTIES[a.pick % severity] };
      return {
        ...base,
        op: "DecideAppeal",
        outcome: outcome === "REDUCED" ? "UPHELD" : outcome,
        penalty: null,
      };
    }
    case "APPEAL_DECIDED":
      return { ...base, op: "FinalizeReview" };
    case "FINAL":
      return {
        op: "OpenDisciplinaryReview",
        who: "SUPERVISOR",
        subject: "mine",
        grounds: "internal",
        summary: "ok",
      };
  }
}

// --- requests -----------------------------------------------------------------------------------

interface Request {
  who: Who;
  operation: string;
  input: Record<string, unknown>;
  reviewId?: string;
}

function buildRequest(m: Model, s: Step): Request {
  if (s.op === "OpenDisciplinaryReview") {
    const officerBadge = {
      mine: m.officer.badgeNumber,
      A: officerA.badgeNumber,
      unknown: "NO-SUCH-BADGE-2",
      malformed: "bad badge!",
    }[s.subject];
    const allegationIds = {
      internal: [],
      sustainedA: [sustainedA[0]],
      bothSustainedA: sustainedA,
      notSustainedA: [sustainedA[1], notSustainedA],
      sustainedB: [sustainedB],
      unknownId: [sustainedA[0], randomUUID()],
      repeat: [sustainedA[0], sustainedA[0]],
      malformedId: ["not-an-id"],
    }[s.grounds];
    const summary = { ok: "Internal grounds: late reports.", blank: "   ", long: "x".repeat(5001) }[
      s.summary
    ];
    return { who: s.who, operation: s.op, input: { officerBadge, allegationIds, summary } };
  }
  const r = s.target.kind === "known" ? m.reviews[s.target.index % m.reviews.length] : undefined;
  const input: Record<string, unknown> = {
    reviewId: r?.id ?? (s.target.kind === "unknown" ? randomUUID() : "not-an-id"),
  };
  if (s.version !== "absent") {
    const current = r?.version ?? 1;
    input.expectedVersion =
      s.version === "current" ? current : current > 1 ? current - 1 : current + 1;
  }
  switch (s.op) {
    case "ScheduleHearing":
      input.hearingAt = {
        future: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        past: "2020-01-01T09:00:00Z",
        badDate: "2026-13-45T00:00:00Z",
      }[s.when];
      break;
    case "DecideDisciplinaryReview": {
      const [from, until] = {
        current: [daysFromToday(-1), daysFromToday(365)],
        permanent: [daysFromToday(-1), null],
        future: [daysFromToday(30), daysFromToday(60)],
        inverted: [daysFromToday(10), daysFromToday(5)],
        badDate: ["2026-02-30", daysFromToday(5)],
      }[s.window];
      Object.assign(input, {
        penalty: s.penalty,
        effectiveFrom: from,
        effectiveUntil: until,
        rationale: s.rationale === "ok" ? "Repeated breach." : "",
        aggravatingFactors: ["prior remark"],
        mitigatingFactors: [],
      });
      break;
    }
    case "AppealDisciplinaryReview":
      input.reason = "Disproportionate.";
      break;
    case "DecideAppeal":
      input.outcome = s.outcome;
      input.penalty = s.penalty;
      input.rationale = "The hearing followed procedure.";
      break;
  }
  return { who: s.who, operation: s.op, input, reviewId: r?.id };
}

// --- the model ----------------------------------------------------------------------------------

type Decision = { refusal: Refusal; denied: boolean } | { apply: (data: any) => void };

const refuse = (code: string, ...fields: string[]): Decision => ({
  refusal: { code, ...(fields.length ? { fields } : {}) },
  denied: false,
});
const PENALTY_CODE = /^[A-Z_]{2,40}$/;

/** What the service must do with this request, given the model; `apply` changes the model to match. */
function decide(m: Model, s: Step, req: Request): Decision {
  // A caller without a token is refused before execution, and so before its variables are looked at.
  if (s.who === "PUBLIC") return { refusal: { code: "UNAUTHENTICATED" }, denied: true };
  // Variables that do not coerce to the schema's types fail before any resolver runs (nothing audited).
  const coercion: string[] = [];
  if ("version" in s && s.version === "absent") coercion.push("input.expectedVersion");
  if (s.op === "ScheduleHearing" && s.when === "badDate") coercion.push("input.hearingAt");
  if (s.op === "DecideDisciplinaryReview" && s.window === "badDate")
    coercion.push("input.effectiveFrom");
  if (s.op === "DecideAppeal" && !["UPHELD", "REDUCED", "OVERTURNED"].includes(s.outcome))
    coercion.push("input.outcome");
  if (coercion.length) return refuse("BAD_USER_INPUT", ...coercion);
  if (s.who !== "SUPERVISOR") return { refusal: { code: "FORBIDDEN" }, denied: true };

  if (s.op === "OpenDisciplinaryReview") return decideOpening(m, s, req);

  // Argument validation (class-validator): every malformed field is a candidate for the one reported.
  const invalid: string[] = [];
  if (s.target.kind === "malformed") invalid.push("input.reviewId");
  if (s.op === "DecideDisciplinaryReview" && !PENALTY_CODE.test(s.penalty))
    invalid.push("input.penalty");
  if (s.op === "DecideDisciplinaryReview" && s.rationale === "empty")
    invalid.push("input.rationale");
  if (s.op === "DecideAppeal" && s.penalty && !PENALTY_CODE.test(s.penalty))
    invalid.push("input.penalty");
  if (invalid.length) return refuse("BAD_USER_INPUT", ...invalid);
  // Checks of the input alone, before the review is read.
  if (s.op === "ScheduleHearing" && s.when === "past")
    return refuse("BAD_USER_INPUT", "input.hearingAt");
  if (s.op === "DecideDisciplinaryReview" && s.window === "inverted")
    return refuse("BAD_USER_INPUT", "input.effectiveUntil");
  if (s.op === "DecideAppeal" && (s.outcome === "REDUCED") !== Boolean(s.penalty))
    return refuse("BAD_USER_INPUT", "input.penalty");

  const r = m.reviews.find((x) => x.id === req.reviewId);
  if (!r) return refuse("NOT_FOUND");
  if (req.input.expectedVersion !== r.version) return refuse("CONFLICT");
  const move = (allowed: Status[], change: () => void): Decision =>
    allowed.includes(r.status) ? { apply: () => (change(), r.version++) } : refuse("INVALID_STATE");

  switch (s.op) {
    case "ScheduleHearing":
      return move(
        ["OPEN", "HEARING_SCHEDULED"],
        () => ((r.status = "HEARING_SCHEDULED"), (r.hearing = true)),
      );
    case "DecideDisciplinaryReview":
      if (!["OPEN", "HEARING_SCHEDULED"].includes(r.status)) return refuse("INVALID_STATE");
      if (!PENALTIES.includes(s.penalty)) return refuse("BAD_USER_INPUT", "input.penalty");
      return move(["OPEN", "HEARING_SCHEDULED"], () =>
        Object.assign(r, {
          status: "DECIDED",
          penalty: s.penalty,
          effectiveFrom: req.input.effectiveFrom,
          effectiveUntil: req.input.effectiveUntil,
        }),
      );
    case "AppealDisciplinaryReview":
      return move(["DECIDED"], () => (r.status = "APPEALED"));
    case "DecideAppeal": {
      if (r.status !== "APPEALED") return refuse("INVALID_STATE");
      if (s.outcome === "REDUCED") {
        if (!PENALTIES.includes(s.penalty!)) return refuse("BAD_USER_INPUT", "input.penalty");
        if (PENALTIES.indexOf(s.penalty!) >= PENALTIES.indexOf(r.penalty!))
          return refuse("BAD_USER_INPUT", "input.penalty");
      }
      return move(["APPEALED"], () => {
        Object.assign(r, { status: "APPEAL_DECIDED", appealOutcome: s.outcome });
        if (s.outcome === "OVERTURNED") r.overturned = true;
        if (s.outcome === "REDUCED")
          Object.assign(r, { originalPenalty: r.penalty, penalty: s.penalty });
      });
    }
    case "FinalizeReview":
      return move(["DECIDED", "APPEAL_DECIDED"], () => (r.status = "FINAL"));
  }
}

function decideOpening(
  m: Model,
  s: Extract<Step, { op: "OpenDisciplinaryReview" }>,
  req: Request,
): Decision {
  const invalid: string[] = [];
  if (s.subject === "malformed") invalid.push("input.officerBadge");
  if (s.grounds === "malformedId") invalid.push("input.allegationIds");
  if (s.summary !== "ok") invalid.push("input.summary");
  if (invalid.length) return refuse("BAD_USER_INPUT", ...invalid);
  if (s.grounds === "repeat") return refuse("BAD_USER_INPUT", "input.allegationIds");
  if (s.subject === "unknown") return refuse("BAD_USER_INPUT", "input.officerBadge");
  const officer = s.subject === "mine" ? m.officer : officerA;
  const ids = req.input.allegationIds as string[];
  for (const [i, id] of ids.entries()) {
    const owner =
      sustainedA.includes(id) || id === notSustainedA
        ? officerA.id
        : id === sustainedB
          ? officerB.id
          : null;
    if (!owner || owner !== officer.id) return refuse("BAD_USER_INPUT", `input.allegationIds.${i}`);
    if (id === notSustainedA) return refuse("INVALID_STATE");
  }
  return {
    apply: (data) => {
      const id = data.openDisciplinaryReview.review.id as string;
      m.reviews.push({
        id,
        officerId: officer.id,
        status: "OPEN",
        version: 1,
        hearing: false,
        penalty: null,
        originalPenalty: null,
        effectiveFrom: null,
        effectiveUntil: null,
        appealOutcome: null,
        overturned: false,
        allegations: ids.length,
      });
    },
  };
}

/** What a successful change returned must agree with the model it produced. */
function checkPayload(m: Model, s: Step, data: any) {
  const review = data[rootField(s.op)].review;
  const r = m.reviews.find((x) => x.id === review.id)!;
  expect(review).toMatchObject({ version: r.version, status: r.status });
  if (review.decision) expect(review.decision).toMatchObject({ penalty: r.penalty });
  if (s.op === "DecideAppeal") expect(review.decision.overturned).toBe(r.overturned);
}

const auditOf = (s: Step, d: Decision, result: TracedResult) => {
  const action = rootField(s.op);
  if (!result.errors?.length)
    return {
      action,
      outcome: "SUCCESS" as const,
      entityId: result.data![action].review.id as string,
    };
  return "denied" in d && d.denied ? { action, outcome: "DENIED" as const } : null;
};

/** Outcomes seen, by operation: printed, so that a generator that stops reaching a state shows. */
const outcomes = new Map<string, number>();
const count = (op: string, outcome: string) =>
  outcomes.set(`${op} ${outcome}`, (outcomes.get(`${op} ${outcome}`) ?? 0) + 1);

async function runStep(m: Model, s: Step): Promise<void> {
  const req = buildRequest(m, s);
  const d = decide(m, s, req);
  const result = await ledger.send(req.who, req.operation, { input: req.input });
  const expected = "refusal" in d ? d.refusal : "OK";
  if (!matches(result, expected)) {
    throw new Error(
      `${s.op} by ${s.who}: expected ${JSON.stringify(expected)}, got ${describeResult(result)}`,
    );
  }
  if ("apply" in d) {
    d.apply(result.data);
    checkPayload(m, s, result.data);
  }
  ledger.expect(result.requestId, auditOf(s, d, result));
  count(s.op, "refusal" in d ? d.refusal.code : "OK");
}

const clone = (m: Model): Model => ({
  officer: m.officer,
  reviews: m.reviews.map((r) => ({ ...r })),
});

/** Two supervisors move one review at once with the version both read: one order of the two must explain the outcome. */
async function runRace(m: Model, race: Race): Promise<Model> {
  const index = race.index % m.reviews.length;
  const steps = [race.first, race.second].map(
    (s) => ({ ...s, target: { kind: "known", index } }) as Step,
  );
  const requests = steps.map((s) => buildRequest(m, s));
  const results = await Promise.all(
    requests.map((req) => ledger.send(req.who, req.operation, { input: req.input })),
  );
  const alone = steps.map((s, i) => "apply" in decide(clone(m), s, requests[i]));
  const wins = results.filter((r) => !r.errors?.length).length;
  if (alone[0] && alone[1])
    expect(results.map((r) => r.errors?.[0]?.extensions.code ?? "OK").sort()).toEqual([
      "CONFLICT",
      "OK",
    ]);
  expect(wins).toBeLessThanOrEqual(1);
  for (const order of [
    [0, 1],
    [1, 0],
  ]) {
    const candidate = clone(m);
    const decisions = new Map<number, Decision>();
    const consistent = order.every((i) => {
      const d = decide(candidate, steps[i], requests[i]);
      decisions.set(i, d);
      if (!matches(results[i], "refusal" in d ? d.refusal : "OK")) return false;
      if ("apply" in d) d.apply(results[i].data);
      return true;
    });
    if (!consistent) continue;
    for (const i of [0, 1]) {
      ledger.expect(results[i].requestId, auditOf(steps[i], decisions.get(i)!, results[i]));
      count(`race ${steps[i].op}`, results[i].errors?.[0]?.extensions.code ?? "OK");
    }
    return candidate;
  }
  throw new Error(
    `race of ${steps.map((s) => s.op).join(" and ")}: no order explains ${results.map(describeResult).join(" / ")}`,
  );
}

// --- the database, as the model sees it ---------------------------------------------------------

async function stored(ids: string[]) {
  const db = t.database.db;
  const [rows, links] = await Promise.all([
    db.select().from(disciplinaryReviews).where(inArray(disciplinaryReviews.id, ids)),
    db
      .select({ reviewId: reviewAllegations.reviewId, n: sql<number>`count(*)::int` })
      .from(reviewAllegations)
      .where(inArray(reviewAllegations.reviewId, ids))
      .groupBy(reviewAllegations.reviewId),
  ]);
  return ids.map((id) => {
    const r = rows.find((x) => x.id === id)!;
    return {
      id,
      officerId: r.officerId,
      status: r.status,
      version: r.version,
      hearing: r.hearingAt !== null,
      penalty: r.penalty,
      originalPenalty: r.originalPenalty,
      effectiveFrom: r.effectiveFrom,
      effectiveUntil: r.effectiveUntil,
      appealOutcome: r.appealOutcome,
      overturned: r.overturned,
      allegations: links.find((l) => l.reviewId === id)?.n ?? 0,
    };
  });
}

/** DESIGN.md's standing for an officer with no allegations: under review, else sanctioned, else good. */
function expectedStanding(m: Model) {
  const mine = m.reviews.filter((r) => r.officerId === m.officer.id);
  const day = today();
  const inForce = mine.filter(
    (r) =>
      ["DECIDED", "APPEALED", "APPEAL_DECIDED", "FINAL"].includes(r.status) &&
      !r.overturned &&
      r.penalty !== "NO_ACTION" &&
      r.effectiveFrom! <= day &&
      (r.effectiveUntil === null || r.effectiveUntil > day),
  );
  const standing = mine.some((r) => ["OPEN", "HEARING_SCHEDULED", "APPEALED"].includes(r.status))
    ? "UNDER_REVIEW"
    : inForce.length
      ? "SANCTIONED"
      : "GOOD";
  return { standing, activeSanctions: inForce.map((r) => r.penalty).sort() };
}

async function storedStanding(m: Model) {
  const s = ok(
    await (await t.as("HR")).op("OfficerStanding", { badgeNumber: m.officer.badgeNumber }),
  ).officerStanding;
  return {
    standing: s.standing,
    activeSanctions: s.activeSanctions.map((x: { penalty: string }) => x.penalty).sort(),
  };
}

it("keeps every review and the officer's standing equal to the model through random sequences and races", async () => {
  const settings = propertySettings({ seed: 20_261_128, numRuns: 30 });
  const tally = { runs: 0, steps: 0, races: 0 };
  await assertProperty(
    fc.asyncProperty(scenario, async (steps) => {
      const officer = await createOfficer(admin);
      const model: Model = { officer, reviews: [] };
      await runStep(model, {
        op: "OpenDisciplinaryReview",
        who: "SUPERVISOR",
        subject: "mine",
        grounds: "internal",
        summary: "ok",
      });
      let current = model;
      let lastStanding = "";
      for (const s of steps) {
        if (s.op === "Race") {
          current = await runRace(current, s);
          tally.races++;
        } else {
          await runStep(current, s.op === "Advance" ? roadStep(current, s) : s);
        }
        tally.steps++;
        expect(await stored(current.reviews.map((r) => r.id))).toEqual(current.reviews);
        // The standing is derived from the reviews: it can only move when one of them did.
        const standing = expectedStanding(current);
        if (JSON.stringify(standing) !== lastStanding)
          expect(await storedStanding(current)).toEqual(standing);
        lastStanding = JSON.stringify(standing);
      }
      expect(await storedStanding(current)).toEqual(expectedStanding(current));
      await ledger.check();
      tally.runs++;
    }),
    settings,
    "test/review-model.test.ts",
  );
  const chain = await ledger.verifyChain();
  expect(chain.ok).toBe(true);
  console.log(
    `review model: seed ${settings.seed}, ${tally.runs} runs, ${tally.steps} steps (${tally.races} races), ${ledger.requests} requests; audit chain verified over ${chain.checked} records`,
  );
  console.log(
    [...outcomes]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join("\n"),
  );
});
