import { randomUUID } from "node:crypto";
import type { Role } from "../src/db/schema";
import { advanceTo, openCase } from "./helpers/cases";
import { contractOperations } from "./helpers/contract";
import { createDistrict, createOfficer } from "./helpers/factories";
import {
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

/**
 * graphql-jit must answer every contract operation exactly as graphql-js does: data, null propagation,
 * and errors (message, path, locations, extensions) as the client sees them. Two servers share one
 * database, one per executor.
 *
 * - Queries, and every operation's refusals (no or wrong variables, unknown ids, every role), run once
 *   per server with the same token and variables over the same data; the answers must be equal.
 * - Mutations succeed once each, so each server runs the same story on fixtures of its own. The two
 *   transcripts (every request and answer, in order) must be equal once what is new per record (ids,
 *   tracking numbers, access codes, tokens, unique codes, cursors, timestamps) is renamed in order of
 *   appearance.
 */

const ROLES: Role[] = ["INTAKE", "INVESTIGATOR", "SUPERVISOR", "HR", "ANALYST", "AUDITOR", "ADMIN"];

let js: TestServer;
let jit: TestServer;

beforeAll(async () => {
  // A database of its own: other test files' writes to a shared one would come between the two answers.
  js = await startTestServer({ GRAPHQL_EXECUTOR: "graphql-js" }, { privateDatabase: true });
  jit = await startTestServer({ GRAPHQL_EXECUTOR: "jit" }, { database: js.database });
});
afterAll(async () => {
  await jit.close();
  await js.close();
});

type Transcript = { op: string; variables?: Record<string, unknown>; result: GraphQLResult }[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const TRACKING = /^[A-Z]{3}-\d{4}-\d{6}$/;
const UNIQUE_CODE = /^[A-Z]+-[0-9A-F]{8}$/; // factories' unique()
const PER_RECORD_KEYS = new Set(["accessCode", "token", "cursor", "endCursor", "after"]);

/** Renames what is new per record, numbering each distinct value by first appearance. */
function renamed(value: unknown): unknown {
  const names = new Map<string, string>();
  const name = (kind: string, v: string) => {
    if (!names.has(v)) names.set(v, `<${kind} ${names.size + 1}>`);
    return names.get(v)!;
  };
  const walk = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v !== "string") return v;
    if (key && PER_RECORD_KEYS.has(key)) return name(key, v);
    if (TIME.test(v)) return "<time>";
    if (UUID.test(v)) return name("id", v);
    if (TRACKING.test(v)) return name("tracking", v);
    if (UNIQUE_CODE.test(v)) return name("code", v);
    // Messages quote ids and tracking numbers ("registered under SNM-2026-000001").
    return v
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, (id) => name("id", id))
      .replace(/\b[A-Z]{3}-\d{4}-\d{6}\b/g, (n) => name("tracking", n));
  };
  return walk(value);
}

/** The same server, its callers writing every contract operation and its answer to `transcript`. */
function recording(t: TestServer, transcript: Transcript): TestServer {
  const wrap = (caller: Caller): Caller => ({
    ...caller,
    async op(op, variables) {
      const result = await caller.op(op, variables);
      transcript.push({ op, variables, result });
      return result;
    },
    async query(document, variables) {
      const result = await caller.query(document, variables);
      transcript.push({ op: document, variables, result });
      return result;
    },
  });
  return {
    ...t,
    public: wrap(t.public),
    caller: (token) => wrap(t.caller(token)),
    as: async (role) => wrap(await t.as(role)),
    newCaller: async (role, name) => wrap(await t.newCaller(role, name)),
  };
}

/** Sends the same operation with the same token to both servers and returns both answers. */
async function both(token: string | null, op: string, variables?: Record<string, unknown>) {
  const [a, b] = await Promise.all([
    js.caller(token).op(op, variables),
    jit.caller(token).op(op, variables),
  ]);
  // The status is part of the answer: a variable that does not coerce is a 400.
  return {
    graphqlJs: { op, token: Boolean(token), ...a },
    jit: { op, token: Boolean(token), ...b },
  };
}

/**
 * Every mutation of the contract the story below drives, and the people it needs. Mutations it does not
 * reach (disciplinary reviews, officer transfers and status changes, erasure, early-warning rules, token
 * approval) are compared on their refusals only.
 */
async function story(t: TestServer) {
  const admin = await t.as("ADMIN");
  const supervisor = await t.as("SUPERVISOR");
  const investigator = await t.as("INVESTIGATOR");
  const unitCode = await createDistrict(admin);
  const officer = await createOfficer(admin, { unitCode });
  await admin.op("ImportOfficers", {
    input: {
      officers: [
        {
          badgeNumber: `I-${randomUUID().slice(0, 8).toUpperCase()}`,
          fullName: "Aibek Nurov",
          rank: "SERGEANT",
          unitCode,
          hiredAt: "2020-03-01",
        },
        {
          badgeNumber: officer.badgeNumber,
          fullName: "Duplicate",
          rank: "SERGEANT",
          unitCode,
          hiredAt: "2020-03-01",
        },
      ],
    },
  });
  const opened = await openCase(t, { unitCode, officers: [{ badgeNumber: officer.badgeNumber }] });
  let file = await advanceTo(t, opened.id, "UNDER_INVESTIGATION");
  await investigator.op("AddAllegation", {
    input: {
      complaintId: opened.id,
      officerBadge: officer.badgeNumber,
      category: "FORCE",
      description: "Pushed.",
    },
  });
  await investigator.op("AddCaseNote", {
    input: { complaintId: opened.id, note: "Called the witness.", publicMessage: null },
  });
  file = await advanceTo(t, opened.id, "CLOSED");
  await t.public.op("ComplaintStatus", {
    trackingNumber: opened.receipt.trackingNumber,
    accessCode: opened.receipt.accessCode,
  });
  await t.public.op("SubmitComplaintFeedback", {
    input: {
      trackingNumber: opened.receipt.trackingNumber,
      accessCode: opened.receipt.accessCode,
      rating: 4,
      comment: "Fair.",
    },
  });
  await advanceTo(t, opened.id, "REOPENED");
  // A stale version: INVALID_STATE or CONFLICT, with its extensions.
  await supervisor.op("StartInvestigation", {
    input: { complaintId: opened.id, expectedVersion: file.version },
  });
  await t.public.op("SubmitCommendation", {
    input: {
      idempotencyKey: randomUUID(),
      channel: "WEB_FORM",
      officer: { badgeNumber: officer.badgeNumber },
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
      narrative: "Helped my lost child get home.",
      submitter: { fullName: "Dauren Abenov", email: "d.abenov@example.kz" },
    },
  });
  await supervisor.op("RecordCommendation", {
    input: {
      officerBadge: officer.badgeNumber,
      type: "LIFE_SAVING",
      occurredAt: "2026-10-01T00:00:00Z",
      narrative: "Pulled a driver from a burning car.",
    },
  });
  const issued = ok(
    await admin.op("IssueApiToken", { input: { role: "HR", name: "Personnel system" } }),
  );
  await admin.op("RevokeApiToken", { principalId: issued.issueApiToken.principal.id });
  await supervisor.op("CaseFile", { id: opened.id });
  await investigator.op("OfficerProfile", { badgeNumber: officer.badgeNumber });
}

it("runs the same story with the same answers: every mutation it reaches, on fixtures of each server's own", async () => {
  const graphqlJs: Transcript = [];
  const jitted: Transcript = [];
  await story(recording(js, graphqlJs));
  await story(recording(jit, jitted));
  expect(graphqlJs.filter((entry) => !entry.result.errors).length).toBeGreaterThan(20);
  expect(renamed(jitted)).toEqual(renamed(graphqlJs));
});

it("answers every query, by every caller, over the same data, as graphql-js does", async () => {
  const admin = await js.as("ADMIN");
  const unitCode = await createDistrict(admin);
  const officer = await createOfficer(admin, { unitCode });
  const opened = await openCase(js, { unitCode, officers: [{ badgeNumber: officer.badgeNumber }] });
  const file = await advanceTo(js, opened.id, "UNDER_INVESTIGATION");
  const callers: (string | null)[] = [
    null,
    ...(await Promise.all(ROLES.map(async (r) => (await js.as(r)).token))),
  ];
  const variables: Record<string, Record<string, unknown>[]> = {
    AuditTrail: [{ entityId: opened.id }, { entityId: randomUUID() }],
    EarlyWarningRules: [{}],
    ComplaintStatus: [
      { trackingNumber: opened.receipt.trackingNumber, accessCode: opened.receipt.accessCode },
      { trackingNumber: opened.receipt.trackingNumber, accessCode: "WRONG-CODE" },
    ],
    Units: [{}],
    OfficerStanding: [{ badgeNumber: officer.badgeNumber }, { badgeNumber: "ZZ-NOBODY-01" }],
    UnitStandings: [
      { unitCode, first: 5 },
      { unitCode: "ZZ-NOWHERE" },
      { unitCode, after: "text" },
    ],
    VerifyAuditChain: [{}],
    AuditCheckpoint: [{}],
    CaseQueue: [{ filter: { unitCode }, first: 5 }, { first: 0 }],
    CaseFile: [{ id: file.id }, { id: randomUUID() }],
    OfficerProfile: [{ badgeNumber: officer.badgeNumber }, { badgeNumber: "ZZ-NOBODY-01" }],
    UnitRoster: [{ unitCode, first: 5 }, { unitCode: "ZZ-NOWHERE" }],
    EarlyWarnings: [{ unitCode, first: 5 }, {}],
    Commendations: [{ filter: { unitCode } }],
    TrustMetrics: [
      { scope: unitCode, from: "2026-01-01", to: "2027-01-01" },
      { scope: "MVD", from: "2026-10-05", to: "2026-11-01" },
    ],
    TrustMetricsSeries: [
      { scope: "KZ-AST", from: "2025-01-01", to: "2027-01-01", interval: "QUARTER" },
    ],
    Me: [{}],
  };
  const queries = [...contractOperations()].filter(([, op]) => op.text.startsWith("query"));
  expect(queries.map(([name]) => name).sort()).toEqual(Object.keys(variables).sort());
  let compared = 0;
  for (const [name] of queries) {
    for (const vars of variables[name]) {
      for (const token of callers) {
        const answers = await both(token, name, vars);
        expect(renamedTimes(answers.jit)).toEqual(renamedTimes(answers.graphqlJs));
        compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(200);
});

it("refuses every operation's bad variables, unknown ids and callers as graphql-js does", async () => {
  const callers: (string | null)[] = [
    null,
    (await js.as("ANALYST")).token,
    (await js.as("HR")).token,
  ];
  for (const [name, op] of contractOperations()) {
    const declared = [...op.text.matchAll(/\$(\w+): ([\w[\]!]+)/g)].map(([, v, type]) => ({
      v,
      type,
    }));
    const badVariables = [
      undefined,
      // Coerces as nothing the contract declares.
      Object.fromEntries(declared.map(({ v }) => [v, [true]])),
      Object.fromEntries(declared.map(({ v }) => [v, { unknownField: 1 }])),
      Object.fromEntries(
        declared.map(({ v, type }) => [v, type.startsWith("ID") ? randomUUID() : "text"]),
      ),
    ];
    for (const vars of badVariables)
      for (const token of callers) {
        // A mutation with well-formed variables could write; those are sent only without a token.
        if (op.text.startsWith("mutation") && vars === badVariables[3] && token) continue;
        const answers = await both(token, name, vars);
        expect(answers.jit).toEqual(answers.graphqlJs);
      }
  }
});

/** "Now" is all that differs between two reads of the same data (asOf; a checkpoint's time and signature). */
function renamedTimes(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"/g, '"<time>"')
      .replace(/"signature":"[^"]*"/g, '"signature":"<signature>"'),
  );
}
