import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { eq, inArray, sql } from "drizzle-orm";
import { addMonths } from "../src/common/dates";
import {
  allegations,
  CLOSURE_REASONS as CLOSURES,
  complaintEvents,
  complaints,
  FINDINGS,
} from "../src/db/schema";
import { DAY } from "./helpers/cases";
import { submitComplaint } from "./helpers/complaints";
import { createOfficer } from "./helpers/factories";
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
import { ok, startTestServer, type TestServer } from "./helpers/server";

// Thousands of requests: far from the 60 s default on a loaded 2-core machine, and a test cut off
// mid-way leaves its requests running into the next one.
jest.setTimeout(300_000);

/**
 * The complaint workflow (DESIGN.md section 2) against a model: random sequences of operations,
 * valid and invalid, from every role, with stale versions, unknown and malformed ids, and races,
 * must leave the database exactly as the model says, and fail with exactly the code it predicts.
 */

let t: TestServer;
let ledger: AuditLedger;
let officerA: { id: string; badgeNumber: string };
let officerB: { id: string; badgeNumber: string };
let investigatorId: string;
let supervisorId: string;
let hrId: string;

beforeAll(async () => {
  t = await startTestServer();
  ledger = new AuditLedger(t);
  const admin = await t.as("ADMIN");
  [officerA, officerB] = await Promise.all([createOfficer(admin), createOfficer(admin)]);
  investigatorId = (await t.as("INVESTIGATOR")).principalId!;
  supervisorId = (await t.as("SUPERVISOR")).principalId!;
  hrId = (await t.as("HR")).principalId!;
});
afterAll(() => t.close());

type Status =
  "REGISTERED" | "ASSIGNED" | "UNDER_INVESTIGATION" | "PENDING_REVIEW" | "CLOSED" | "REOPENED";
const OPEN: Status[] = [
  "REGISTERED",
  "ASSIGNED",
  "UNDER_INVESTIGATION",
  "PENDING_REVIEW",
  "REOPENED",
];
const CATEGORIES = ["FORCE", "DISCOURTESY", "CORRUPTION", "OTHER"];

interface AllegationModel {
  id: string;
  officerId: string | null;
  recommendedFinding: string | null;
  finding: string | null;
  closureReason: string | null;
  /** The outcome in force was set by a SUPERVISOR. */
  bySupervisor?: boolean;
}

interface ComplaintModel {
  id: string;
  trackingNumber: string;
  accessCode: string;
  registeredAt: Date;
  responseDueAt: Date;
  status: Status;
  version: number;
  assigneeId: string | null;
  extended: boolean;
  erased: boolean;
  feedback: boolean;
  timeline: number;
  /** Timeline entries with a message for the complainant: what complaintStatus lists. */
  published: number;
  allegations: AllegationModel[];
}

interface Model {
  complaints: ComplaintModel[];
}

type Target = { kind: "known"; index: number } | { kind: "unknown" } | { kind: "malformed" };
type Version = "current" | "stale" | "absent";

type Step =
  | {
      op: "AssignComplaint";
      who: Who;
      target: Target;
      version: Version;
      assignee: "investigator" | "supervisor" | "hr" | "unknown";
    }
  | {
      op: "StartInvestigation" | "SubmitForReview" | "ReopenComplaint";
      who: Who;
      target: Target;
      version: Version;
    }
  | { op: "CloseComplaint"; who: Who; target: Target; version: Version; publicMessage: boolean }
  | {
      op: "ExtendResponseDeadline";
      who: Who;
      target: Target;
      version: Version;
      until: "valid" | "early" | "late";
    }
  | { op: "AddCaseNote"; who: Who; target: Target; version: Version; publicMessage: boolean }
  | {
      op: "AddAllegation";
      who: Who;
      target: Target;
      version: Version;
      category: string;
      badge: "none" | "known" | "unknown";
    }
  | {
      op: "IdentifyOfficer";
      who: Who;
      target: Target;
      allegation: number;
      version: Version;
      badge: "known" | "unknown";
    }
  | {
      op: "RecordFinding";
      who: Who;
      target: Target;
      allegation: number;
      version: Version;
      finding: string | null;
      closureReason: string | null;
    }
  | { op: "EraseComplainantData"; who: Who; target: Target }
  | {
      op: "SubmitComplaintFeedback";
      who: Who;
      target: Target;
      rating: number;
      accessCode: "right" | "wrong";
    };
type Race = { op: "Race"; index: number; first: Step; second: Step };
/** The next move on the usual road for a complaint, whatever its state: random steps alone rarely get far. */
type Advance = { op: "Advance"; index: number; pick: number };

/** Operations whose expectedVersion the schema requires (absent: BAD_USER_INPUT before anything runs). */
const VERSION_REQUIRED = new Set([
  "AssignComplaint",
  "StartInvestigation",
  "SubmitForReview",
  "CloseComplaint",
  "ReopenComplaint",
  "ExtendResponseDeadline",
]);
const SUPERVISOR_ONLY = new Set(["ReopenComplaint", "EraseComplainantData"]);
const ON_ALLEGATION = new Set(["IdentifyOfficer", "RecordFinding"]);

// --- generators ---------------------------------------------------------------------------------

const who = fc.oneof(
  { arbitrary: fc.constant<Who>("SUPERVISOR"), weight: 10 },
  { arbitrary: fc.constant<Who>("INVESTIGATOR"), weight: 6 },
  { arbitrary: fc.constantFrom<Who>("HR", "ANALYST", "AUDITOR", "ADMIN", "PUBLIC"), weight: 2 },
);
const target = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("known" as const), index: fc.nat(5) }), weight: 14 },
  { arbitrary: fc.constant<Target>({ kind: "unknown" }), weight: 1 },
  { arbitrary: fc.constant<Target>({ kind: "malformed" }), weight: 1 },
);
const version = fc.oneof(
  { arbitrary: fc.constant<Version>("current"), weight: 12 },
  { arbitrary: fc.constant<Version>("stale"), weight: 2 },
  { arbitrary: fc.constant<Version>("absent"), weight: 1 },
);
const outcome = fc.oneof(
  {
    arbitrary: fc.record({
      finding: fc.constantFrom(...FINDINGS),
      closureReason: fc.constant(null),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      finding: fc.constant(null),
      closureReason: fc.constantFrom(...CLOSURES),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      finding: fc.constantFrom(...FINDINGS),
      closureReason: fc.constantFrom(...CLOSURES),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ finding: null, closureReason: null }), weight: 1 },
);

/** One step, given how its sender, target and version are chosen (races fix them). */
const stepWith = (
  w: fc.Arbitrary<Who>,
  tg: fc.Arbitrary<Target>,
  v: fc.Arbitrary<Version>,
): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      arbitrary: fc.record({
        op: fc.constant("AssignComplaint" as const),
        who: w,
        target: tg,
        version: v,
        assignee: fc.constantFrom(
          "investigator" as const,
          "investigator" as const,
          "supervisor" as const,
          "hr" as const,
          "unknown" as const,
        ),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({
        op: fc.constantFrom(
          "StartInvestigation" as const,
          "SubmitForReview" as const,
          "ReopenComplaint" as const,
        ),
        who: w,
        target: tg,
        version: v,
      }),
      weight: 8,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("CloseComplaint" as const),
        who: w,
        target: tg,
        version: v,
        publicMessage: fc.boolean(),
      }),
      weight: 4,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("ExtendResponseDeadline" as const),
        who: w,
        target: tg,
        version: v,
        until: fc.constantFrom(
          "valid" as const,
          "valid" as const,
          "early" as const,
          "late" as const,
        ),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("AddCaseNote" as const),
        who: w,
        target: tg,
        version: v,
        publicMessage: fc.boolean(),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("AddAllegation" as const),
        who: w,
        target: tg,
        version: v,
        category: fc.constantFrom(...CATEGORIES),
        badge: fc.constantFrom("none" as const, "known" as const, "unknown" as const),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("IdentifyOfficer" as const),
        who: w,
        target: tg,
        allegation: fc.nat(5),
        version: v,
        badge: fc.constantFrom("known" as const, "known" as const, "unknown" as const),
      }),
      weight: 2,
    },
    {
      arbitrary: outcome.chain((o) =>
        fc.record({
          op: fc.constant("RecordFinding" as const),
          who: w,
          target: tg,
          allegation: fc.nat(5),
          version: v,
          finding: fc.constant(o.finding),
          closureReason: fc.constant(o.closureReason),
        }),
      ),
      weight: 8,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("EraseComplainantData" as const),
        who: w,
        target: tg,
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        op: fc.constant("SubmitComplaintFeedback" as const),
        who: w,
        target: tg,
        rating: fc.integer({ min: 0, max: 6 }),
        accessCode: fc.constantFrom("right" as const, "right" as const, "wrong" as const),
      }),
      weight: 2,
    },
  );

const step = stepWith(who, target, version);
/** Two supervisors acting on the same complaint at once, mostly with the version they just read. */
const racer = stepWith(
  fc.constant<Who>("SUPERVISOR"),
  fc.constant<Target>({ kind: "known", index: 0 }),
  fc.constantFrom<Version>("current", "current", "current", "absent"),
);
const race: fc.Arbitrary<Race> = fc.record({
  op: fc.constant("Race" as const),
  index: fc.nat(5),
  first: racer,
  second: racer,
});
const advance: fc.Arbitrary<Advance> = fc.record({
  op: fc.constant("Advance" as const),
  index: fc.nat(5),
  pick: fc.nat(20),
});
const scenario = fc.record({
  /** Per complaint: a named officer (A) or none, and how many categories the form gives. */
  forms: fc.array(
    fc.record({ namesOfficer: fc.boolean(), categories: fc.integer({ min: 1, max: 2 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  steps: fc.array(
    fc.oneof(
      { arbitrary: step, weight: 6 },
      { arbitrary: advance, weight: 3 },
      { arbitrary: race, weight: 1 },
    ),
    { minLength: 4, maxLength: 30, size: "max" },
  ),
});

/** The step that moves a complaint on: REGISTERED → ASSIGNED → UNDER_INVESTIGATION → PENDING_REVIEW → CLOSED → feedback, reopen. */
function roadStep(m: Model, a: Advance): Step {
  const index = a.index % m.complaints.length;
  const c = m.complaints[index];
  const base = {
    who: "SUPERVISOR" as const,
    target: { kind: "known" as const, index },
    version: "current" as const,
  };
  switch (c.status) {
    case "REGISTERED":
      return { ...base, op: "AssignComplaint", assignee: "investigator" };
    case "ASSIGNED":
    case "REOPENED":
      return { ...base, op: "StartInvestigation" };
    case "UNDER_INVESTIGATION":
      return { ...base, op: "SubmitForReview" };
    case "PENDING_REVIEW": {
      const open = c.allegations.findIndex((x) => !x.finding && !x.closureReason);
      if (open < 0) return { ...base, op: "CloseComplaint", publicMessage: a.pick % 2 === 0 };
      return {
        ...base,
        op: "RecordFinding",
        allegation: open,
        finding: FINDINGS[a.pick % FINDINGS.length],
        closureReason: null,
      };
    }
    case "CLOSED":
      if (!c.feedback && a.pick % 3 !== 0)
        return {
          op: "SubmitComplaintFeedback",
          who: "PUBLIC",
          target: base.target,
          rating: 1 + (a.pick % 5),
          accessCode: "right",
        };
      return { ...base, op: "ReopenComplaint" };
  }
}

// --- requests -----------------------------------------------------------------------------------

interface Request {
  who: Who;
  operation: string;
  variables: { input: Record<string, unknown> };
  /** The complaint (and allegation) a known target names. */
  complaintId?: string;
  allegationId?: string;
}

const complaintAt = (m: Model, tg: Target) =>
  tg.kind === "known" ? m.complaints[tg.index % m.complaints.length] : undefined;

function buildRequest(m: Model, s: Step): Request {
  const c = complaintAt(m, s.target);
  const a = c && "allegation" in s ? c.allegations[s.allegation % c.allegations.length] : undefined;
  const id =
    s.target.kind === "malformed"
      ? "not-an-id"
      : s.target.kind === "unknown"
        ? randomUUID()
        : undefined;
  const input: Record<string, unknown> = {};
  if (s.op === "SubmitComplaintFeedback") {
    input.trackingNumber = c
      ? c.trackingNumber
      : s.target.kind === "unknown"
        ? "SNM-1999-000000"
        : "SNM-".padEnd(40, "9");
    input.accessCode = c && s.accessCode === "right" ? c.accessCode : "WRONG-CODE-0000";
    input.rating = s.rating;
    input.comment = "Handled politely.";
  } else if (ON_ALLEGATION.has(s.op)) {
    input.allegationId = a?.id ?? id;
  } else {
    input.complaintId = c?.id ?? id;
  }
  if ("version" in s && s.version !== "absent") {
    const current = c?.version ?? 1;
    input.expectedVersion =
      s.version === "current" ? current : current > 1 ? current - 1 : current + 1;
  }
  switch (s.op) {
    case "AssignComplaint":
      input.assigneeId = {
        investigator: investigatorId,
        supervisor: supervisorId,
        hr: hrId,
        unknown: randomUUID(),
      }[s.assignee];
      break;
    case "StartInvestigation":
    case "SubmitForReview":
    case "ReopenComplaint":
      input.note = "Step of a generated sequence.";
      break;
    case "CloseComplaint":
      if (s.publicMessage) input.publicMessage = "Your complaint has been decided.";
      break;
    case "ExtendResponseDeadline": {
      const due = c?.responseDueAt ?? new Date();
      const registered = c?.registeredAt ?? new Date();
      const until = {
        valid: new Date(due.getTime() + DAY),
        early: new Date(due.getTime() - DAY),
        late: new Date(addMonths(registered, 2).getTime() + DAY),
      }[s.until];
      input.until = until.toISOString();
      input.reason = "Awaiting a forensic report.";
      break;
    }
    case "AddCaseNote":
      input.note = "Called the witness.";
      input.publicMessage = s.publicMessage ? "We are still working on it." : null;
      break;
    case "AddAllegation":
      input.category = s.category;
      input.description = "Found during the investigation.";
      if (s.badge !== "none")
        input.officerBadge = s.badge === "known" ? officerA.badgeNumber : "NO-SUCH-BADGE-1";
      break;
    case "IdentifyOfficer":
      input.officerBadge = s.badge === "known" ? officerB.badgeNumber : "NO-SUCH-BADGE-1";
      break;
    case "RecordFinding":
      input.finding = s.finding;
      input.closureReason = s.closureReason;
      input.rationale = "On the evidence.";
      break;
    case "EraseComplainantData":
      input.reason = "Complainant request under personal-data law.";
      break;
  }
  return {
    who: s.who,
    operation: s.op,
    variables: { input },
    complaintId: c?.id,
    allegationId: a?.id,
  };
}

// --- the model ----------------------------------------------------------------------------------

type Decision = { refusal: Refusal; denied: boolean } | { apply: (data: any) => void };

const refuse = (code: string, ...fields: string[]): Decision => ({
  refusal: { code, ...(fields.length ? { fields } : {}) },
  denied: false,
});
const statusIs = (c: ComplaintModel, allowed: Status[]) => allowed.includes(c.status);

/** What the service must do with this request, given the model; `apply` changes the model to match. */
function decide(m: Model, s: Step, r: Request): Decision {
  // A caller without a token is refused before execution, and so before its variables are looked at.
  if (s.op !== "SubmitComplaintFeedback" && s.who === "PUBLIC")
    return { refusal: { code: "UNAUTHENTICATED" }, denied: true };
  if (VERSION_REQUIRED.has(s.op) && "version" in s && s.version === "absent")
    return refuse("BAD_USER_INPUT", "input.expectedVersion");
  if (s.op !== "SubmitComplaintFeedback") {
    const allowed = SUPERVISOR_ONLY.has(s.op) ? ["SUPERVISOR"] : ["SUPERVISOR", "INVESTIGATOR"];
    if (!allowed.includes(s.who)) return { refusal: { code: "FORBIDDEN" }, denied: true };
  }
  const c = r.complaintId ? m.complaints.find((x) => x.id === r.complaintId)! : undefined;
  const bump = (events = 1, published = 0) => {
    c!.version++;
    c!.timeline += events;
    c!.published += published;
  };

  if (s.op === "SubmitComplaintFeedback") {
    const badRating = s.rating < 1 || s.rating > 5;
    if (s.target.kind === "malformed")
      return refuse(
        "BAD_USER_INPUT",
        "input.trackingNumber",
        ...(badRating ? ["input.rating"] : []),
      );
    if (badRating) return refuse("BAD_USER_INPUT", "input.rating");
    if (!c || s.accessCode === "wrong") return refuse("NOT_FOUND");
    if (c.status !== "CLOSED") return refuse("INVALID_STATE");
    if (c.feedback) return refuse("INVALID_STATE");
    return { apply: () => ((c.feedback = true), (c.timeline += 1)) };
  }
  if (s.target.kind === "malformed")
    return refuse(
      "BAD_USER_INPUT",
      ON_ALLEGATION.has(s.op) ? "input.allegationId" : "input.complaintId",
    );
  if (s.op === "RecordFinding" && !s.finding === !s.closureReason) {
    return refuse("BAD_USER_INPUT", s.finding ? "input.closureReason" : "input.finding");
  }
  if (!c) return refuse("NOT_FOUND");
  const expectedVersion = r.variables.input.expectedVersion;
  if (expectedVersion !== undefined && expectedVersion !== c.version) return refuse("CONFLICT");

  switch (s.op) {
    case "AssignComplaint": {
      if (!statusIs(c, OPEN)) return refuse("INVALID_STATE");
      if (s.assignee === "hr" || s.assignee === "unknown")
        return refuse("BAD_USER_INPUT", "input.assigneeId");
      return {
        apply: () => {
          if (c.status === "REGISTERED") c.status = "ASSIGNED";
          c.assigneeId = r.variables.input.assigneeId as string;
          bump();
        },
      };
    }
    case "StartInvestigation":
      if (!statusIs(c, ["ASSIGNED", "REOPENED"])) return refuse("INVALID_STATE");
      return { apply: () => ((c.status = "UNDER_INVESTIGATION"), bump()) };
    case "SubmitForReview":
      if (c.status !== "UNDER_INVESTIGATION") return refuse("INVALID_STATE");
      return { apply: () => ((c.status = "PENDING_REVIEW"), bump()) };
    case "CloseComplaint": {
      if (!statusIs(c, ["REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION", "PENDING_REVIEW"]))
        return refuse("INVALID_STATE");
      const early = c.status !== "PENDING_REVIEW";
      if (c.allegations.some((a) => !a.closureReason && (early || !a.finding)))
        return refuse("INVALID_STATE");
      return {
        apply: () => (
          (c.status = "CLOSED"),
          bump(s.publicMessage ? 2 : 1, s.publicMessage ? 2 : 1)
        ),
      };
    }
    case "ReopenComplaint":
      if (c.status !== "CLOSED") return refuse("INVALID_STATE");
      return { apply: () => ((c.status = "REOPENED"), bump(1, 1)) };
    case "ExtendResponseDeadline":
      if (!statusIs(c, OPEN) || c.extended) return refuse("INVALID_STATE");
      if (s.until !== "valid") return refuse("BAD_USER_INPUT", "input.until");
      return { apply: () => ((c.extended = true), bump(1, 1)) };
    case "AddCaseNote":
      return { apply: () => bump(1, s.publicMessage ? 1 : 0) };
    case "AddAllegation":
      if (!statusIs(c, OPEN)) return refuse("INVALID_STATE");
      if (s.badge === "unknown") return refuse("BAD_USER_INPUT", "input.officerBadge");
      return {
        apply: (data) => {
          const id = data.addAllegation.allegation.id as string;
          c.allegations.push({
            id,
            officerId: s.badge === "known" ? officerA.id : null,
            recommendedFinding: null,
            finding: null,
            closureReason: null,
          });
          bump();
        },
      };
    case "IdentifyOfficer": {
      const a = c.allegations.find((x) => x.id === r.allegationId)!;
      if (!statusIs(c, OPEN)) return refuse("INVALID_STATE");
      if (a.finding || a.recommendedFinding) return refuse("INVALID_STATE");
      if (s.badge === "unknown") return refuse("BAD_USER_INPUT", "input.officerBadge");
      return { apply: () => ((a.officerId = officerB.id), bump()) };
    }
    case "RecordFinding": {
      const a = c.allegations.find((x) => x.id === r.allegationId)!;
      const supervisor = s.who === "SUPERVISOR";
      if (!statusIs(c, OPEN)) return refuse("INVALID_STATE");
      // A supervisor's decision, a final finding or a closure reason, is changed only by a supervisor.
      if (!supervisor && (a.finding || a.bySupervisor)) return refuse("INVALID_STATE");
      if (s.finding && !statusIs(c, ["UNDER_INVESTIGATION", "PENDING_REVIEW"]))
        return refuse("INVALID_STATE");
      return {
        apply: () => {
          if (s.closureReason)
            Object.assign(a, {
              closureReason: s.closureReason,
              finding: null,
              bySupervisor: supervisor,
            });
          else if (supervisor)
            Object.assign(a, { finding: s.finding, closureReason: null, bySupervisor: true });
          else a.recommendedFinding = s.finding;
          bump();
        },
      };
    }
    case "EraseComplainantData":
      if (c.erased) return refuse("INVALID_STATE");
      return { apply: () => ((c.erased = true), bump()) };
  }
}

/** What a successful change returned must agree with the model it produced. */
function checkPayload(m: Model, s: Step, r: Request, data: any) {
  const c = m.complaints.find((x) => x.id === r.complaintId)!;
  const payload = data[rootField(s.op)];
  if (payload.complaint?.version !== undefined)
    expect(payload.complaint).toMatchObject({ id: c.id, version: c.version });
  if (payload.complaint?.status !== undefined) expect(payload.complaint.status).toBe(c.status);
  if (s.op === "RecordFinding") {
    const a = c.allegations.find((x) => x.id === r.allegationId)!;
    expect(payload.allegation).toEqual({
      id: a.id,
      recommendedFinding: a.recommendedFinding,
      finding: a.finding,
      closureReason: a.closureReason,
    });
  }
}

const auditOf = (s: Step, r: Request, d: Decision, succeeded: boolean) => {
  const action = rootField(s.op);
  if (succeeded) return { action, outcome: "SUCCESS" as const, entityId: r.complaintId };
  return "denied" in d && d.denied ? { action, outcome: "DENIED" as const } : null;
};

const clone = (m: Model): Model => ({
  complaints: m.complaints.map((c) => ({
    ...c,
    allegations: c.allegations.map((a) => ({ ...a })),
  })),
});

async function runStep(m: Model, s: Step): Promise<void> {
  const r = buildRequest(m, s);
  const d = decide(m, s, r);
  const result = await ledger.send(r.who, r.operation, r.variables);
  const expected = "refusal" in d ? d.refusal : "OK";
  if (!matches(result, expected)) {
    throw new Error(
      `${s.op} by ${s.who}: expected ${JSON.stringify(expected)}, got ${describeResult(result)}`,
    );
  }
  if ("apply" in d) {
    d.apply(result.data);
    checkPayload(m, s, r, result.data);
  }
  ledger.expect(result.requestId, auditOf(s, r, d, "apply" in d));
  count(s.op, "refusal" in d ? d.refusal.code : "OK");
}

/** Outcomes seen, by operation: printed, so that a generator that stops reaching a state shows. */
const outcomes = new Map<string, number>();
const count = (op: string, outcome: string) =>
  outcomes.set(`${op} ${outcome}`, (outcomes.get(`${op} ${outcome}`) ?? 0) + 1);

/**
 * Two supervisors send changes to one complaint at once. The outcome must be one the model gives for
 * one order or the other. When both carry the version they read, at most one wins, and when each would
 * have succeeded alone, exactly one wins and the other gets CONFLICT.
 */
async function runRace(m: Model, race: Race): Promise<Model> {
  const index = race.index % m.complaints.length;
  const steps = [race.first, race.second].map(
    (s) => ({ ...s, target: { kind: "known", index } }) as Step,
  );
  const requests = steps.map((s) => buildRequest(m, s));
  const results = await Promise.all(
    requests.map((r) => ledger.send(r.who, r.operation, r.variables)),
  );
  const alone = steps.map((s, i) => "apply" in decide(clone(m), s, requests[i]));
  const wins = results.filter((r) => !r.errors?.length).length;
  if (requests.every((r) => r.variables.input.expectedVersion !== undefined)) {
    if (alone[0] && alone[1])
      expect(results.map((r) => r.errors?.[0]?.extensions.code ?? "OK").sort()).toEqual([
        "CONFLICT",
        "OK",
      ]);
    expect(wins).toBeLessThanOrEqual(1);
  }
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
    for (const i of [0, 1])
      count(`race ${steps[i].op}`, results[i].errors?.[0]?.extensions.code ?? "OK");
    for (const i of [0, 1])
      ledger.expect(
        results[i].requestId,
        auditOf(steps[i], requests[i], decisions.get(i)!, !results[i].errors?.length),
      );
    return candidate;
  }
  throw new Error(
    `race of ${steps.map((s) => s.op).join(" and ")}: no order explains ${results.map(describeResult).join(" / ")}`,
  );
}

// --- the database, as the model sees it -----------------------------------------------------------

const view = (c: ComplaintModel) => ({
  id: c.id,
  status: c.status,
  version: c.version,
  assigneeId: c.assigneeId,
  extended: c.extended,
  erased: c.erased,
  feedback: c.feedback,
  timeline: c.timeline,
  // Who decided is the model's own bookkeeping, checked through what it lets an investigator do.
  allegations: [...c.allegations]
    .map(({ bySupervisor: _, ...a }) => a)
    .sort((x, y) => x.id.localeCompare(y.id)),
});

async function stored(ids: string[]) {
  const db = t.database.db;
  const [rows, allegationRows, events] = await Promise.all([
    db.select().from(complaints).where(inArray(complaints.id, ids)),
    db.select().from(allegations).where(inArray(allegations.complaintId, ids)),
    db
      .select({ complaintId: complaintEvents.complaintId, n: sql<number>`count(*)::int` })
      .from(complaintEvents)
      .where(inArray(complaintEvents.complaintId, ids))
      .groupBy(complaintEvents.complaintId),
  ]);
  return ids.map((id) => {
    const row = rows.find((x) => x.id === id)!;
    return {
      id,
      status: row.status,
      version: row.version,
      assigneeId: row.assigneeId,
      extended: row.extendedTo !== null,
      erased: row.complainantErasedAt !== null,
      feedback: row.feedbackAt !== null,
      timeline: events.find((e) => e.complaintId === id)?.n ?? 0,
      allegations: allegationRows
        .filter((a) => a.complaintId === id)
        .map(({ id, officerId, recommendedFinding, finding, closureReason }) => ({
          id,
          officerId,
          recommendedFinding,
          finding,
          closureReason,
        }))
        .sort((x, y) => x.id.localeCompare(y.id)),
    };
  });
}

/** What the complainant sees with the receipt (complaintStatus). */
async function publicView(c: ComplaintModel) {
  const view = ok(
    await t.public.op("ComplaintStatus", {
      trackingNumber: c.trackingNumber,
      accessCode: c.accessCode,
    }),
  ).complaintStatus;
  return {
    status: view.status,
    outcome: view.outcome,
    updates: view.updates.length,
    extended: view.responseDueAt !== c.responseDueAt.toISOString(),
  };
}

function expectedPublicView(c: ComplaintModel) {
  const findings = c.allegations.map((a) => a.finding);
  const outcome =
    c.status !== "CLOSED"
      ? null
      : findings.some((f) => f === "SUSTAINED" || f === "POLICY_FAILURE")
        ? "UPHELD"
        : findings.some(Boolean)
          ? "NOT_UPHELD"
          : "CLOSED_WITHOUT_FINDING";
  return { status: c.status, outcome, updates: c.published, extended: c.extended };
}

async function registerComplaints(
  forms: { namesOfficer: boolean; categories: number }[],
): Promise<Model> {
  const model: Model = { complaints: [] };
  for (const form of forms) {
    const { receipt } = await submitComplaint(t.public, {
      officers: form.namesOfficer ? [{ badgeNumber: officerA.badgeNumber }] : [],
      categories: CATEGORIES.slice(0, form.categories),
    });
    const [row] = await t.database.db
      .select()
      .from(complaints)
      .where(eq(complaints.trackingNumber, receipt.trackingNumber));
    const rows = await t.database.db
      .select()
      .from(allegations)
      .where(eq(allegations.complaintId, row.id));
    model.complaints.push({
      id: row.id,
      trackingNumber: receipt.trackingNumber,
      accessCode: receipt.accessCode,
      registeredAt: row.registeredAt,
      responseDueAt: row.responseDueAt,
      status: "REGISTERED",
      version: 1,
      assigneeId: null,
      extended: false,
      erased: false,
      feedback: false,
      timeline: 1,
      published: 1,
      allegations: rows.map((a) => ({
        id: a.id,
        officerId: form.namesOfficer ? officerA.id : null,
        recommendedFinding: null,
        finding: null,
        closureReason: null,
      })),
    });
  }
  return model;
}

it("keeps every complaint equal to the model through random sequences of operations and races", async () => {
  const settings = propertySettings({ seed: 20_261_128, numRuns: 30 });
  const tally = { runs: 0, steps: 0, races: 0 };
  await assertProperty(
    fc.asyncProperty(scenario, async ({ forms, steps }) => {
      let model = await registerComplaints(forms);
      const ids = model.complaints.map((c) => c.id);
      expect(await stored(ids)).toEqual(model.complaints.map(view));
      for (const s of steps) {
        if (s.op === "Race") {
          model = await runRace(model, s);
          tally.races++;
        } else if (s.op === "Advance") {
          await runStep(model, roadStep(model, s));
        } else {
          await runStep(model, s);
        }
        tally.steps++;
        expect(await stored(ids)).toEqual(model.complaints.map(view));
      }
      for (const c of model.complaints) expect(await publicView(c)).toEqual(expectedPublicView(c));
      await ledger.check();
      tally.runs++;
    }),
    settings,
    "test/complaint-model.test.ts",
  );
  const chain = await ledger.verifyChain();
  expect(chain.ok).toBe(true);
  console.log(
    `complaint model: seed ${settings.seed}, ${tally.runs} runs, ${tally.steps} steps (${tally.races} races), ${ledger.requests} requests; audit chain verified over ${chain.checked} records`,
  );
  console.log(
    [...outcomes]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join("\n"),
  );
});
