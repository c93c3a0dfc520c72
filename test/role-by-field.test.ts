import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { commendations, ROLES, type Role } from "../src/db/schema";
import {
  auditRowsOfRequest,
  rowsMentioning,
  tracedCaller,
  type TracedResult,
} from "./helpers/audit";
import { advanceTo, openCase } from "./helpers/cases";
import { createDistrict, createOfficer } from "./helpers/factories";
import { openReview } from "./helpers/reviews";
import { ok, startTestServer, type TestServer } from "./helpers/server";

/**
 * Every caller, against every field that can hold a citizen's text, through every path that reaches it.
 * Who may see what is written out here on its own (not read from src/auth/policy.ts), as DESIGN.md section 1
 * and the README's roles table state it.
 */

type Who = Role | "NO_TOKEN";
/**
 * Every caller. INTAKE (an integration channel) and ANALYST are in none of the audiences below, so they are
 * expected to get exactly what NO_TOKEN gets (refused as FORBIDDEN where NO_TOKEN is UNAUTHENTICATED).
 */
const CALLERS: Who[] = [
  "NO_TOKEN",
  "INTAKE",
  "INVESTIGATOR",
  "SUPERVISOR",
  "HR",
  "ANALYST",
  "AUDITOR",
  "ADMIN",
];
const SEES_WHAT_NO_TOKEN_SEES: Who[] = ["INTAKE", "ANALYST"];

const ANYONE: Who[] = CALLERS;
const STAFF: Who[] = ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR", "ADMIN"];
/** Internal affairs: the only ones who read what a citizen wrote, and who they are. */
const CASEWORK: Who[] = ["INVESTIGATOR", "SUPERVISOR"];
/** Internal affairs and auditors: everything about the handling of a case. */
const CASE_READERS: Who[] = [...CASEWORK, "AUDITOR"];
const AUDITORS: Who[] = ["AUDITOR"];

/** The seeded records: A, a complaint worked to the end; B, a complaint whose complainant was erased; C, a commendation. */
type SeededRecord = "A" | "B" | "C";

/** Every text a citizen (or staff, about them) put in: where it lives, and whether reading it is a personal-data read. */
const MARKERS = {
  complainantName: { record: "A", personal: true },
  complainantEmail: { record: "A", personal: true },
  complainantPhone: { record: "A", personal: true },
  narrative: { record: "A", personal: true },
  incidentPlace: { record: "A", personal: true },
  officerDescription: { record: "A", personal: true },
  // Never exposed through the API: stored sealed, and erased with the complainant's data.
  feedbackComment: { record: "A", personal: true },
  findingRationale: { record: "A", personal: false },
  caseNote: { record: "A", personal: false },
  publicMessage: { record: "A", personal: false },
  erasureReason: { record: "B", personal: false },
  commendationNarrative: { record: "C", personal: true },
  commendationOfficer: { record: "C", personal: true },
  submitterName: { record: "C", personal: true },
  submitterEmail: { record: "C", personal: true },
  submitterPhone: { record: "C", personal: true },
  // Never exposed: a supervisor's internal note on the review of a commendation.
  commendationReviewNote: { record: "C", personal: false },
} satisfies { [key: string]: { record: SeededRecord; personal: boolean } };
type Marker = keyof typeof MARKERS;

const run = randomBytes(4).toString("hex");
const phone = () => `+7${randomInt(700_000_000, 799_999_999)}${randomInt(0, 10)}`;
/** Distinct texts, none inside another, found by a plain substring search of a response. */
const TEXT: { [m in Marker]: string } = {
  complainantName: `Name ${run} Complainant`,
  complainantEmail: `complainant-${run}@example.kz`,
  complainantPhone: phone(),
  narrative: `M-${run}-narrative: he pushed me at the station`,
  incidentPlace: `M-${run}-incidentPlace: my flat, Abay St 5 apt 12`,
  officerDescription: `M-${run}-officerDescription: the man who lives next to us`,
  feedbackComment: `M-${run}-feedbackComment`,
  findingRationale: `M-${run}-findingRationale`,
  caseNote: `M-${run}-caseNote`,
  publicMessage: `M-${run}-publicMessage`,
  erasureReason: `M-${run}-erasureReason`,
  commendationNarrative: `M-${run}-commendationNarrative`,
  commendationOfficer: `M-${run}-commendationOfficer`,
  submitterName: `Name ${run} Submitter`,
  submitterEmail: `submitter-${run}@example.kz`,
  submitterPhone: phone(),
  commendationReviewNote: `M-${run}-commendationReviewNote`,
};

/** A step in a response: a field, or "*" for any item of a list. */
type Step = string | number;
interface Gate {
  at: Step[];
  audience: readonly Who[];
}
/** Where a marker shows in a response, and the fields a caller must be allowed through to get there. */
interface Mark {
  marker: Marker;
  at: Step[];
  gates: Gate[];
}

const mark = (...markers: Marker[]): Mark[] =>
  markers.map((marker) => ({ marker, at: [], gates: [] }));
const within = (steps: Step[], inner: Mark[]): Mark[] =>
  inner.map((m) => ({
    marker: m.marker,
    at: [...steps, ...m.at],
    gates: m.gates.map((g) => ({ at: [...steps, ...g.at], audience: g.audience })),
  }));
/** A field only `audience` may read, holding `inner`. */
const guarded = (field: string, audience: readonly Who[], inner: Mark[]): Mark[] =>
  within([field], inner).map((m) => ({ ...m, gates: [{ at: [field], audience }, ...m.gates] }));

/** A selection and the marks it can show, kept side by side so that they cannot drift apart. */
interface Shape {
  select: string;
  marks: Mark[];
}

const ALLEGATION: Shape = {
  select: "id description findingRationale",
  marks: [
    ...guarded("description", CASEWORK, mark("officerDescription")),
    ...guarded("findingRationale", CASE_READERS, mark("findingRationale")),
  ],
};
const COMPLAINT: Shape = {
  select: `id narrative incidentPlace complainant { fullName email phone type }
    allegations { ${ALLEGATION.select} } timeline { kind note publicMessage }`,
  marks: [
    ...guarded("narrative", CASEWORK, mark("narrative")),
    ...guarded("incidentPlace", CASEWORK, mark("incidentPlace")),
    ...guarded("complainant", CASEWORK, [
      ...guarded("fullName", CASEWORK, mark("complainantName")),
      ...guarded("email", CASEWORK, mark("complainantEmail")),
      ...guarded("phone", CASEWORK, mark("complainantPhone")),
    ]),
    ...guarded("allegations", CASE_READERS, within(["*"], ALLEGATION.marks)),
    ...guarded(
      "timeline",
      CASE_READERS,
      within(
        ["*"],
        [
          ...guarded("note", CASE_READERS, mark("caseNote", "erasureReason")),
          ...guarded("publicMessage", CASE_READERS, mark("publicMessage")),
        ],
      ),
    ),
  ],
};
const ALLEGATION_IN_COMPLAINT: Shape = {
  select: `${ALLEGATION.select} complaint { ${COMPLAINT.select} }`,
  marks: [...ALLEGATION.marks, ...guarded("complaint", CASE_READERS, COMPLAINT.marks)],
};
const COMMENDATION: Shape = {
  // The narrative is non-null: refused, it nulls the whole page, and the fields beside it still report
  // their own refusals.
  select: "id narrative officerDescription submitter { fullName email phone }",
  marks: [
    ...guarded("narrative", CASEWORK, mark("commendationNarrative")),
    ...guarded("officerDescription", CASEWORK, mark("commendationOfficer")),
    ...guarded("submitter", CASEWORK, [
      ...guarded("fullName", CASEWORK, mark("submitterName")),
      ...guarded("email", CASEWORK, mark("submitterEmail")),
      ...guarded("phone", CASEWORK, mark("submitterPhone")),
    ]),
  ],
};
const AUDIT_RECORD =
  "seq action entity entityId outcome requestId digest records principal { name role }";

const edges = (shape: Shape): Shape => ({
  select: `edges { node { ${shape.select} } }`,
  marks: within(["edges", "*", "node"], shape.marks),
});
/** A field holding a shape, only `audience` may read. */
const through = (field: string, args: string, audience: readonly Who[], shape: Shape): Shape => ({
  select: `${field}${args} { ${shape.select} }`,
  marks: guarded(field, audience, shape.marks),
});
const list = (shape: Shape): Shape => ({ select: shape.select, marks: within(["*"], shape.marks) });

interface Seeded {
  badge: string;
  ids: { [r in SeededRecord]: string };
  reviewId: string;
  trackingNumber: string;
  accessCode: string;
}

interface Path {
  /** The records this path reaches, whose markers it may show. */
  reaches: SeededRecord[];
  variables: (s: Seeded) => { [name: string]: unknown };
  /** The root field, who may call it, and the document. */
  root: string;
  audience: readonly Who[];
  query: string;
  marks: Mark[];
}

function path(
  reaches: SeededRecord[],
  params: string,
  variables: Path["variables"],
  root: string,
  args: string,
  audience: readonly Who[],
  shape: Shape,
): Path {
  const top = through(root, args, audience, shape);
  return {
    reaches,
    variables,
    root,
    audience,
    query: `query${params} { ${top.select} }`,
    marks: top.marks,
  };
}

const byBadge = (s: Seeded) => ({ badge: s.badge });
const officerAllegations = through(
  "allegations",
  "(first: 20)",
  CASE_READERS,
  edges(ALLEGATION_IN_COMPLAINT),
);
const officerCommendations = through(
  "commendations",
  "(first: 20)",
  CASE_READERS,
  edges(COMMENDATION),
);

const PATHS: { [name: string]: Path } = {
  "complaints (the case queue)": path(
    ["A", "B"],
    "($badge: String!)",
    byBadge,
    "complaints",
    "(filter: { officerBadge: $badge }, first: 20)",
    CASE_READERS,
    edges(COMPLAINT),
  ),
  "complaint(id) of the complaint worked to the end": path(
    ["A"],
    "($id: ID!)",
    (s) => ({ id: s.ids.A }),
    "complaint",
    "(id: $id)",
    CASE_READERS,
    COMPLAINT,
  ),
  "complaint(id) of the erased complaint": path(
    ["B"],
    "($id: ID!)",
    (s) => ({ id: s.ids.B }),
    "complaint",
    "(id: $id)",
    CASE_READERS,
    COMPLAINT,
  ),
  "officer → allegations → complaint": path(
    ["A", "B"],
    "($badge: String!)",
    byBadge,
    "officer",
    "(badgeNumber: $badge)",
    STAFF,
    officerAllegations,
  ),
  "officers → allegations → complaint": path(
    ["A", "B"],
    "($badge: String!)",
    byBadge,
    "officers",
    "(filter: { search: $badge }, first: 5)",
    STAFF,
    edges(officerAllegations),
  ),
  "officer → reviews → allegations → complaint": path(
    ["A"],
    "($badge: String!)",
    byBadge,
    "officer",
    "(badgeNumber: $badge)",
    STAFF,
    through(
      "reviews",
      "",
      CASE_READERS,
      list(through("allegations", "", CASE_READERS, list(ALLEGATION_IN_COMPLAINT))),
    ),
  ),
  "disciplinaryReview → allegations → complaint": path(
    ["A"],
    "($id: ID!)",
    (s) => ({ id: s.reviewId }),
    "disciplinaryReview",
    "(id: $id)",
    CASE_READERS,
    through("allegations", "", CASE_READERS, list(ALLEGATION_IN_COMPLAINT)),
  ),
  "complaintStatus (the complainant's own view, by tracking number and access code)": path(
    ["A"],
    "($n: String!, $code: String!)",
    (s) => ({ n: s.trackingNumber, code: s.accessCode }),
    "complaintStatus",
    "(trackingNumber: $n, accessCode: $code)",
    ANYONE,
    {
      select: "status updates { message }",
      marks: within(["updates", "*", "message"], mark("publicMessage")),
    },
  ),
  commendations: path(
    ["C"],
    "($badge: String!)",
    byBadge,
    "commendations",
    "(filter: { officerBadge: $badge }, first: 20)",
    CASE_READERS,
    edges(COMMENDATION),
  ),
  "officer → commendations": path(
    ["C"],
    "($badge: String!)",
    byBadge,
    "officer",
    "(badgeNumber: $badge)",
    STAFF,
    officerCommendations,
  ),
  "officers → commendations": path(
    ["C"],
    "($badge: String!)",
    byBadge,
    "officers",
    "(filter: { search: $badge }, first: 5)",
    STAFF,
    edges(officerCommendations),
  ),
  "auditTrail about the complaint": path(
    [],
    "($id: ID!)",
    (s) => ({ id: s.ids.A }),
    "auditTrail",
    "(entityId: $id, first: 100)",
    AUDITORS,
    edges({ select: AUDIT_RECORD, marks: [] }),
  ),
  "auditTrail about the commendation": path(
    [],
    "($id: ID!)",
    (s) => ({ id: s.ids.C }),
    "auditTrail",
    "(entityId: $id, first: 100)",
    AUDITORS,
    edges({ select: AUDIT_RECORD, marks: [] }),
  ),
  "auditTrail, newest first": path(
    [],
    "",
    () => ({}),
    "auditTrail",
    "(first: 100)",
    AUDITORS,
    edges({ select: AUDIT_RECORD, marks: [] }),
  ),
};

let t: TestServer;
let seeded: Seeded;

/** Seeds A, B and C through the API, with a marker in every field that can hold a citizen's text. */
async function seed(): Promise<Seeded> {
  const [admin, supervisor] = await Promise.all([t.as("ADMIN"), t.as("SUPERVISOR")]);
  const badge = (await createOfficer(admin, { unitCode: await createDistrict(admin) })).badgeNumber;

  // A: everything a complaint can carry, worked to a sustained finding, rated, and under review.
  const a = await openCase(t, {
    complainant: {
      fullName: TEXT.complainantName,
      email: TEXT.complainantEmail,
      phone: TEXT.complainantPhone,
      type: "VICTIM",
    },
    narrative: TEXT.narrative,
    incidentPlace: TEXT.incidentPlace,
    officers: [{ description: TEXT.officerDescription }],
    categories: ["FORCE"],
  });
  const [allegationId] = a.allegationIds;
  await advanceTo(t, a.id, "UNDER_INVESTIGATION");
  ok(await supervisor.op("IdentifyOfficer", { input: { allegationId, officerBadge: badge } }));
  ok(
    await supervisor.op("AddCaseNote", {
      input: { complaintId: a.id, note: TEXT.caseNote, publicMessage: TEXT.publicMessage },
    }),
  );
  ok(
    await supervisor.op("RecordFinding", {
      input: { allegationId, finding: "SUSTAINED", rationale: TEXT.findingRationale },
    }),
  );
  await advanceTo(t, a.id, "CLOSED");
  ok(
    await t.public.op("SubmitComplaintFeedback", {
      input: {
        trackingNumber: a.receipt.trackingNumber,
        accessCode: a.receipt.accessCode,
        rating: 2,
        comment: TEXT.feedbackComment,
      },
    }),
  );
  const review = await openReview(t, badge, [allegationId], "Sustained use of force.");

  // B: a complaint about the same officer whose complainant's data was erased, the legal ground on its timeline.
  // No incident place: what erasure must destroy of it is the encryption work's to test.
  const b = await openCase(t, {
    officers: [{ badgeNumber: badge }],
    categories: ["DISCOURTESY"],
    incidentPlace: undefined,
  });
  ok(
    await supervisor.op("EraseComplainantData", {
      input: { complaintId: b.id, reason: TEXT.erasureReason },
    }),
  );

  // C: a citizen's commendation of the officer they could only describe, verified with the officer named.
  const { trackingNumber } = ok(
    await t.public.op("SubmitCommendation", {
      input: {
        idempotencyKey: randomUUID(),
        channel: "WEB_FORM",
        officer: { description: TEXT.commendationOfficer },
        occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
        narrative: TEXT.commendationNarrative,
        submitter: {
          fullName: TEXT.submitterName,
          email: TEXT.submitterEmail,
          phone: TEXT.submitterPhone,
        },
      },
    }),
  ).submitCommendation.receipt;
  const [c] = await t.database.db
    .select({ id: commendations.id })
    .from(commendations)
    .where(eq(commendations.trackingNumber, trackingNumber));
  ok(
    await supervisor.op("VerifyCommendation", {
      input: { commendationId: c.id, officerBadge: badge, note: TEXT.commendationReviewNote },
    }),
  );

  return {
    badge,
    ids: { A: a.id, B: b.id, C: c.id },
    reviewId: review.id,
    trackingNumber: a.receipt.trackingNumber,
    accessCode: a.receipt.accessCode,
  };
}

beforeAll(async () => {
  // Refusals without a token are many here; their per-address limit has tests of its own.
  t = await startTestServer({ RATE_LIMIT_ANONYMOUS_REFUSALS: "0" });
  seeded = await seed();
});
afterAll(() => t.close());

const callerOf = async (who: Who) =>
  tracedCaller(t.url, who === "NO_TOKEN" ? t.public : await t.as(who));

const send = async (who: Who, p: Path) => (await callerOf(who)).query(p.query, p.variables(seeded));

/** The values at a response position, "*" standing for every item of a list. */
function valuesAt(value: unknown, at: Step[]): unknown[] {
  if (!at.length) return [value];
  if (value === null || value === undefined) return [];
  const [step, ...rest] = at;
  if (step === "*")
    return Array.isArray(value) ? value.flatMap((item) => valuesAt(item, rest)) : [];
  return valuesAt((value as { [k: string]: unknown })[step], rest);
}

const matches = (path: readonly Step[] | undefined, pattern: Step[]) =>
  path?.length === pattern.length &&
  pattern.every((step, i) => (step === "*" ? typeof path[i] === "number" : step === path[i]));

const show = (at: Step[]) => at.join(".");

/** What `who` must get on a path: the markers shown, and the refusals that must (or may) be reported. */
function expectationFor(p: Path, who: Who) {
  const reached = (m: Marker) => p.reaches.includes(MARKERS[m].record);
  const visible: Mark[] = [];
  const required: Step[][] = [];
  const possible: Step[][] = [];
  if (!p.audience.includes(who)) required.push([p.root]);
  for (const m of p.marks) {
    const refusal = m.gates.find((g) => !g.audience.includes(who));
    if (!refusal) {
      if (reached(m.marker)) visible.push(m);
      continue;
    }
    possible.push(refusal.at);
    if (reached(m.marker)) required.push(refusal.at);
  }
  return { visible, required, possible: [...possible, ...required] };
}

const CASES = Object.keys(PATHS).flatMap((name) => CALLERS.map((who) => [name, who] as const));

describe("every role, every field holding a citizen's text, every path to it", () => {
  it("covers every role", () => {
    expect(ROLES.filter((role) => !CALLERS.includes(role))).toEqual([]);
  });

  it.each(CASES)("%s, as %s", async (name, who) => {
    const p = PATHS[name];
    const { visible, required, possible } = expectationFor(p, who);
    const result: TracedResult = await send(who, p);

    // Whatever the caller may see is there, as written.
    for (const m of visible)
      expect({ at: show(m.at), values: valuesAt(result.data, m.at) }).toEqual({
        at: show(m.at),
        values: expect.arrayContaining([TEXT[m.marker]]),
      });
    // Nothing else the citizen wrote is, anywhere in the response (fields this test does not name included).
    const body = JSON.stringify(result);
    const shown = (Object.keys(TEXT) as Marker[]).filter((m) => body.includes(TEXT[m])).sort();
    expect(shown).toEqual([...new Set(visible.map((m) => m.marker))].sort());

    // What it may not see is null, with the refusal reported where the policy stopped it.
    const code = who === "NO_TOKEN" ? "UNAUTHENTICATED" : "FORBIDDEN";
    const errors = result.errors ?? [];
    expect(
      errors
        .filter((e) => e.extensions.code !== code || !possible.some((at) => matches(e.path, at)))
        .map((e) => [e.extensions.code, e.path]),
    ).toEqual([]);
    expect(required.filter((at) => !errors.some((e) => matches(e.path, at))).map(show)).toEqual([]);

    // One DENIED record for the refusals, one READ_PERSONAL_DATA naming the records whose citizen's data was shown.
    const audited = await auditRowsOfRequest(t.database.db, result.requestId);
    expect(audited.filter((r) => r.outcome === "DENIED")).toHaveLength(errors.length ? 1 : 0);
    const read = [
      ...new Set(
        visible
          .filter((m) => MARKERS[m.marker].personal)
          .map((m) => seeded.ids[MARKERS[m.marker].record]),
      ),
    ].sort();
    expect(audited.filter((r) => r.action === "READ_PERSONAL_DATA").map((r) => r.records)).toEqual(
      read.length ? [read] : [],
    );
  });

  it.each(Object.keys(PATHS))(
    "gives %s to every role in no audience exactly as to no token",
    async (name) => {
      const p = PATHS[name];
      const anonymous = await send("NO_TOKEN", p);
      for (const who of SEES_WHAT_NO_TOKEN_SEES)
        expect({ who, data: (await send(who, p)).data ?? null }).toEqual({
          who,
          data: anonymous.data ?? null,
        });
    },
  );

  it("never puts a citizen's text in an audit record, whoever read or was refused it", async () => {
    const found: Marker[] = [];
    for (const m of Object.keys(TEXT) as Marker[])
      if ((await rowsMentioning(t.database.db, "audit_log", TEXT[m])) > 0) found.push(m);
    expect(found).toEqual([]);
  });
});

describe("a read of any one field holding a citizen's text", () => {
  const READS: [string, string, (s: Seeded) => { [name: string]: unknown }, Marker][] = [
    [
      "Complaint.narrative",
      "query($id: ID!) { complaint(id: $id) { narrative } }",
      (s) => ({ id: s.ids.A }),
      "narrative",
    ],
    [
      "Complaint.incidentPlace",
      "query($id: ID!) { complaint(id: $id) { incidentPlace } }",
      (s) => ({ id: s.ids.A }),
      "incidentPlace",
    ],
    [
      "Complainant.phone",
      "query($id: ID!) { complaint(id: $id) { complainant { phone } } }",
      (s) => ({ id: s.ids.A }),
      "complainantPhone",
    ],
    [
      "Allegation.description, from an officer",
      "query($badge: String!) { officer(badgeNumber: $badge) { allegations { edges { node { description } } } } }",
      byBadge,
      "officerDescription",
    ],
    [
      "Allegation.description, from a review",
      "query($id: ID!) { disciplinaryReview(id: $id) { allegations { description } } }",
      (s) => ({ id: s.reviewId }),
      "officerDescription",
    ],
    [
      "Commendation.narrative",
      "query($badge: String!) { commendations(filter: { officerBadge: $badge }) { edges { node { narrative } } } }",
      byBadge,
      "commendationNarrative",
    ],
    [
      "Commendation.officerDescription",
      "query($badge: String!) { commendations(filter: { officerBadge: $badge }) { edges { node { officerDescription } } } }",
      byBadge,
      "commendationOfficer",
    ],
    [
      "CommendationSubmitter.email",
      "query($badge: String!) { commendations(filter: { officerBadge: $badge }) { edges { node { submitter { email } } } } }",
      byBadge,
      "submitterEmail",
    ],
  ];

  it.each(READS)(
    "%s leaves a READ_PERSONAL_DATA record naming its record",
    async (_field, query, variables, marker) => {
      const investigator = await callerOf("INVESTIGATOR");
      const result = await investigator.query(query, variables(seeded));
      expect(result.errors ?? []).toEqual([]);
      expect(JSON.stringify(result.data)).toContain(TEXT[marker]);
      const record = seeded.ids[MARKERS[marker].record];
      expect(
        (await auditRowsOfRequest(t.database.db, result.requestId)).map((r) => [
          r.action,
          r.entity,
          r.entityId,
          r.records,
        ]),
      ).toEqual([
        [
          "READ_PERSONAL_DATA",
          MARKERS[marker].record === "C" ? "Commendation" : "Complaint",
          record,
          [record],
        ],
      ]);
    },
  );
});
