import { eq } from "drizzle-orm";
import { senimSchema } from "../src/graphql/schema";
import { decide, OPERATION_POLICY } from "../src/auth/policy";
import { hashToken, issuePrincipal } from "../src/auth/token";
import type { Database } from "../src/db/client";
import { principals, ROLES, type Role } from "../src/db/schema";
import {
  auditRowsOfEntity,
  auditRowsOfRequest,
  openProcessDatabase,
  rowsMentioning,
  runCli,
  traced,
  tracedCaller,
  withServer,
  type TracedCaller,
  type TracedResult,
} from "./helpers/audit";
import { onPostgres, asFixture, fixtureActor } from "./helpers/database";
import { createOfficer, officerInput, unique, unitInput } from "./helpers/factories";
import {
  errorOf,
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";
import { issueApproved, issueThroughApi, type TokenRequest } from "./helpers/tokens";

const TOKEN = /^snm_[A-Za-z0-9_-]{43}$/;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const principalRow = async (id: string) =>
  (await t.database.db.select().from(principals).where(eq(principals.id, id)))[0];

/** Issues a token through the API as ADMIN (approved by a supervisor when it needs to be): the payload. */
const issue = (input: TokenRequest) => issueApproved(t, input);

describe("API tokens", () => {
  it.each(ROLES)("issues a %s token that identifies its holder in `me`", async (role) => {
    const name = `Holder ${unique("P")}`;
    const issued = await issue({ role, name });
    expect(issued.token).toMatch(TOKEN);
    expect(issued.principal).toEqual({
      id: expect.any(String),
      name,
      role,
      status: "ACTIVE",
      expiresAt: expect.any(String),
    });
    const { me } = ok(await t.caller(issued.token).op("Me"));
    expect(me).toEqual(issued.principal);
  });

  it("gives every token its own principal and a different secret", async () => {
    const [a, b] = await Promise.all([
      issue({ role: "HR", name: "Personnel system" }),
      issue({ role: "HR", name: "Personnel system" }),
    ]);
    expect(a.token).not.toBe(b.token);
    expect(a.principal.id).not.toBe(b.principal.id);
  });

  it("stores only the token's hash: no column of the principal holds the token or its secret part", async () => {
    const admin = await t.as("ADMIN");
    const { token, principal } = await issue({ role: "AUDITOR", expiresAt: inDays(30) });
    const row = await principalRow(principal.id);
    expect(row).toMatchObject({
      role: "AUDITOR",
      tokenHash: hashToken(token),
      revokedAt: null,
      createdBy: admin.principalId,
    });
    expect(await rowsMentioning(t.database.db, "principals", token.slice(4))).toBe(0);
    expect(await rowsMentioning(t.database.db, "audit_log", token.slice(4))).toBe(0);
  });

  it("records who issued the token in the audit trail, without the token", async () => {
    const admin = await t.as("ADMIN");
    const { principal } = await issue({ role: "ANALYST" });
    expect(await auditRowsOfEntity(t.database.db, principal.id)).toEqual([
      expect.objectContaining({
        action: "issueApiToken",
        entity: "Principal",
        outcome: "SUCCESS",
        principalId: admin.principalId,
        principalRole: "ADMIN",
      }),
    ]);
  });

  it("keeps working until its expiry date", async () => {
    const { token, principal } = await issue({ role: "INVESTIGATOR", expiresAt: inDays(1) });
    expect(ok(await t.caller(token).op("Me")).me.id).toBe(principal.id);
    expect((await principalRow(principal.id)).expiresAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it("refuses a token whose expiry has passed (made so in the database)", async () => {
    const { token, principal } = await issue({ role: "INVESTIGATOR", expiresAt: inDays(1) });
    await asFixture(t.database.db, (tx) =>
      tx
        .update(principals)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(principals.id, principal.id)),
    );
    expect(errorOf(await t.caller(token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("refuses a token created with an expiry in the past", async () => {
    const { token } = await issuePrincipal(t.database.db, fixtureActor(), {
      role: "SUPERVISOR",
      name: "Expired",
      expiresAt: new Date(Date.now() - 60_000),
    });
    expect(errorOf(await t.caller(token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("refuses to issue a token that is already expired, and writes nothing", async () => {
    const admin = await t.as("ADMIN");
    const name = `Stillborn ${unique("P")}`;
    const result = await traced(
      t.url,
      admin.token,
      "mutation($input: IssueApiTokenInput!) { issueApiToken(input: $input) { token } }",
      {
        input: { role: "HR", name, expiresAt: inDays(-1) },
      },
    );
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.expiresAt" });
    expect(await t.database.db.select().from(principals).where(eq(principals.name, name))).toEqual(
      [],
    );
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
  });

  it.each([
    ["too short", "x"],
    ["too long", "x".repeat(201)],
    ["blank", "    "],
    ["padded with spaces", " Personnel system "],
    ["holding a control character", "bad\u0000name"],
  ])("refuses a name that is %s", async (_, name) => {
    const admin = await t.as("ADMIN");
    expect(errorOf(await admin.op("IssueApiToken", { input: { role: "HR", name } }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.name",
    });
  });

  it("revokes a token at once, and only that token", async () => {
    const admin = await t.as("ADMIN");
    const { token, principal } = await issue({ role: "SUPERVISOR" });
    const other = await issue({ role: "SUPERVISOR" });
    ok(await t.caller(token).op("Me"));

    expect(ok(await admin.op("RevokeApiToken", { principalId: principal.id }))).toEqual({
      revokeApiToken: { revoked: true },
    });

    expect(errorOf(await t.caller(token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
    expect((await principalRow(principal.id)).revokedAt).toBeInstanceOf(Date);
    expect(ok(await t.caller(other.token).op("Me")).me.id).toBe(other.principal.id);
    expect((await auditRowsOfEntity(t.database.db, principal.id)).map((r) => r.action)).toEqual([
      "issueApiToken",
      "approveApiToken",
      "revokeApiToken",
    ]);
  });

  it("answers a second revocation of the same token without reviving or failing", async () => {
    const admin = await t.as("ADMIN");
    const { token, principal } = await issue({ role: "HR" });
    ok(await admin.op("RevokeApiToken", { principalId: principal.id }));
    const revokedAt = (await principalRow(principal.id)).revokedAt;
    expect(
      ok(await admin.op("RevokeApiToken", { principalId: principal.id })).revokeApiToken.revoked,
    ).toBe(true);
    expect((await principalRow(principal.id)).revokedAt).toEqual(revokedAt);
    expect(errorOf(await t.caller(token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("gives NOT_FOUND for revoking a principal that does not exist, malformed or not", async () => {
    const admin = await t.as("ADMIN");
    expect(errorOf(await admin.op("RevokeApiToken", { principalId: "not-a-uuid" }))).toEqual({
      code: "NOT_FOUND",
    });
    expect(
      errorOf(await admin.op("RevokeApiToken", { principalId: "'; drop table principals; --" })),
    ).toEqual({ code: "NOT_FOUND" });
    expect(
      errorOf(
        await admin.op("RevokeApiToken", { principalId: "00000000-0000-4000-8000-000000000000" }),
      ),
    ).toEqual({ code: "NOT_FOUND" });
  });

  it.each([
    ["no Authorization header", null],
    ["a garbage bearer token", { header: "Bearer garbage" }],
    ["a well-formed but unknown token", { header: `Bearer snm_${"A".repeat(43)}` }],
    ["another scheme", { header: "Basic YWRtaW46YWRtaW4=" }],
    ["an empty bearer", { header: "Bearer " }],
  ] as const)("answers `me` with UNAUTHENTICATED for %s", async (_, auth) => {
    const result = await traced(t.url, auth, "query { me { id } }");
    expect(result.errors).toHaveLength(1);
    expect(errorOf(result)).toEqual({ code: "UNAUTHENTICATED" });
    // Refused before execution: no data at all.
    expect(result.data ?? null).toBeNull();
  });

  it("accepts the Bearer scheme in any letter case", async () => {
    const { token, principal } = await issue({ role: "ANALYST" });
    const result = await traced(t.url, { header: `bearer ${token}` }, "query { me { id } }");
    expect(ok(result).me.id).toBe(principal.id);
  });
});

describe("the token command", () => {
  it.each([
    ["a new ADMIN token, expiring in 90 days", "ADMIN", [], 90],
    // The root of trust: a casework token from it needs no approval.
    ["a SUPERVISOR token, active at once, for 7 days", "SUPERVISOR", ["--expires-in-days", "7"], 7],
  ] as const)(
    "prints only %s, which then works for `me` against the same database",
    async (_, role, extra, days) => {
      const name = "First admin";
      const args = ["--role", role, "--name", name, ...extra];
      const target = onPostgres ? null : await openProcessDatabase();
      try {
        const run = await runCli(
          "token",
          args,
          target?.env ?? { DATABASE_URL: process.env.DATABASE_URL! },
        );
        expect(run).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/^snm_[A-Za-z0-9_-]{43}\n$/),
        });
        const token = run.stdout.trim();
        const check = async (
          database: Database,
          op: (name: string, token: string) => Promise<GraphQLResult>,
        ) => {
          const [row] = await database.db
            .select()
            .from(principals)
            .where(eq(principals.tokenHash, hashToken(token)));
          expect(row).toMatchObject({ name, role, revokedAt: null, activatedAt: expect.any(Date) });
          expect(Math.abs(row.expiresAt.getTime() - Date.now() - days * 86_400_000)).toBeLessThan(
            120_000,
          );
          expect(ok(await op("Me", token)).me).toEqual({
            id: row.id,
            name,
            role,
            status: "ACTIVE",
            expiresAt: row.expiresAt.toISOString(),
          });
          expect(await auditRowsOfEntity(database.db, row.id)).toEqual([
            expect.objectContaining({
              action: "issueApiToken",
              entity: "Principal",
              outcome: "SUCCESS",
              principalId: null,
            }),
          ]);
        };
        if (!target) await check(t.database, (op, token) => t.caller(token).op(op));
        else await target.use((database) => withServer(database, (op) => check(database, op)));
      } finally {
        await target?.drop();
      }
    },
  );

  it.each([
    ["an unknown role", ["--role", "ROOT", "--name", "First admin"]],
    ["a missing role", ["--name", "First admin"]],
    ["a one-letter name", ["--role", "ADMIN", "--name", "x"]],
    [
      "an expiry in the past",
      ["--role", "ADMIN", "--name", "First admin", "--expires-at", "2001-01-01T00:00:00Z"],
    ],
    ["an unknown flag", ["--role", "ADMIN", "--name", "First admin", "--sudo"]],
    [
      "a life over 365 days",
      ["--role", "ADMIN", "--name", "First admin", "--expires-in-days", "366"],
    ],
    [
      "an expiry more than 365 days ahead",
      ["--role", "ADMIN", "--name", "First admin", "--expires-at", "2099-01-01T00:00:00Z"],
    ],
    [
      "both kinds of expiry",
      ["--role", "HR", "--name", "HR sync", "--expires-at", inDays(9), "--expires-in-days", "9"],
    ],
    ["an INTAKE token without a channel", ["--role", "INTAKE", "--name", "eOtinish"]],
    ["an unknown channel", ["--role", "INTAKE", "--name", "eOtinish", "--channel", "FAX"]],
    ["a channel for another role", ["--role", "HR", "--name", "HR sync", "--channel", "EGOV"]],
  ])("exits 2 with usage on stderr and nothing on stdout for %s", async (_, args) => {
    // An unreachable database: a usage error must be found before any connection is tried.
    const run = await runCli("token", args, { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/Usage: /);
  });
});

type Who = Role | "NO_TOKEN";
const EVERYONE: Who[] = [...ROLES, "NO_TOKEN"];
const ANY_TOKEN: Who[] = [...ROLES];
const STAFF: Who[] = ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR", "ADMIN"];

/** One call of an operation, as `caller`, with fresh inputs (and fresh targets, made by `admin`, for the mutations). */
type Send = (caller: TracedCaller, admin: Caller) => Promise<TracedResult>;
interface Operation {
  kind: "query" | "mutation";
  allowed: Who[];
  send: Send;
}

let fixtureBadge: string;

/** DESIGN.md section 1, written out by hand: who may call each operation that exists today. */
const MATRIX: Record<string, Operation> = {
  units: { kind: "query", allowed: EVERYONE, send: (c) => c.op("Units") },
  ranks: { kind: "query", allowed: EVERYONE, send: (c) => c.query("query { ranks { code } }") },
  me: { kind: "query", allowed: ANY_TOKEN, send: (c) => c.op("Me") },
  officer: {
    kind: "query",
    allowed: STAFF,
    send: (c) =>
      c.query("query($b: String!) { officer(badgeNumber: $b) { badgeNumber } }", {
        b: fixtureBadge,
      }),
  },
  officers: {
    kind: "query",
    allowed: STAFF,
    send: (c) => c.query("query { officers(first: 1) { totalCount } }"),
  },
  auditTrail: {
    kind: "query",
    allowed: ["AUDITOR"],
    send: (c) => c.op("AuditTrail", { first: 1 }),
  },
  verifyAuditChain: { kind: "query", allowed: ["AUDITOR"], send: (c) => c.op("VerifyAuditChain") },
  createUnit: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: (c) => c.op("CreateUnit", { input: unitInput() }),
  },
  createOfficer: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: (c) => c.op("CreateOfficer", { input: officerInput() }),
  },
  importOfficers: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: (c) => c.op("ImportOfficers", { input: { officers: [officerInput()] } }),
  },
  transferOfficer: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: async (c, admin) =>
      c.op("TransferOfficer", {
        input: { badgeNumber: (await createOfficer(admin)).badgeNumber, unitCode: "KZ-ALA" },
      }),
  },
  changeOfficerStatus: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: async (c, admin) =>
      c.op("ChangeOfficerStatus", {
        input: {
          badgeNumber: (await createOfficer(admin)).badgeNumber,
          status: "ON_LEAVE",
          reason: "Order 12",
        },
      }),
  },
  issueApiToken: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: (c) => c.op("IssueApiToken", { input: { role: "HR", name: "Personnel system" } }),
  },
  approveApiToken: {
    kind: "mutation",
    allowed: ["SUPERVISOR"],
    send: async (c) =>
      c.op("ApproveApiToken", {
        principalId: (await issueThroughApi(t, { role: "AUDITOR" })).principal.id,
      }),
  },
  revokeApiToken: {
    kind: "mutation",
    allowed: ["ADMIN"],
    send: async (c) =>
      c.op("RevokeApiToken", {
        principalId: (
          await issuePrincipal(t.database.db, fixtureActor(), { role: "HR", name: "To revoke" })
        ).principal.id,
      }),
  },
};

const CASES = Object.entries(MATRIX).flatMap(([field, { allowed }]) =>
  EVERYONE.map(
    (who) =>
      [
        field,
        who,
        allowed.includes(who) ? "allowed" : who === "NO_TOKEN" ? "UNAUTHENTICATED" : "FORBIDDEN",
      ] as const,
  ),
);

describe("the authorization matrix", () => {
  beforeAll(async () => {
    fixtureBadge = (await createOfficer(await t.as("ADMIN"))).badgeNumber;
  });

  it.each(CASES)("%s called by %s: %s", async (field, who, expected) => {
    const caller = tracedCaller(t.url, who === "NO_TOKEN" ? t.public : await t.as(who));
    const result = await MATRIX[field].send(caller, await t.as("ADMIN"));
    const audited = await auditRowsOfRequest(t.database.db, result.requestId);
    if (expected === "allowed") {
      expect(result.errors ?? []).toEqual([]);
      expect(result.data?.[field]).toBeTruthy();
      if (MATRIX[field].kind === "query") expect(audited).toEqual([]);
      else {
        expect(audited.length).toBeGreaterThanOrEqual(1);
        expect(audited.map((r) => [r.action, r.outcome, r.principalId])).toEqual(
          audited.map(() => [field, "SUCCESS", caller.principalId]),
        );
      }
    } else {
      expect(result.errors?.map((e) => e.extensions.code)).toEqual([expected]);
      expect(result.errors?.[0].path).toEqual([field]);
      expect(result.data ?? null).toBeNull();
      // Refused attempts are audited too: one record, naming the operation and the caller (none without a token).
      expect(
        audited.map((r) => [r.action, r.outcome, r.principalId, r.principalRole, r.entityId]),
      ).toEqual([[field, "DENIED", caller.principalId, who === "NO_TOKEN" ? null : who, null]]);
    }
  });

  it("has a policy entry for every query and mutation in the schema (anything else is denied)", async () => {
    const schema = await senimSchema();
    const roots = [
      schema.getQueryType(),
      schema.getMutationType(),
      schema.getSubscriptionType(),
    ].flatMap((type) => (type ? Object.keys(type.getFields()) : []));
    expect(roots.length).toBeGreaterThanOrEqual(Object.keys(MATRIX).length);
    expect(roots.filter((field) => !Object.hasOwn(OPERATION_POLICY, field))).toEqual([]);
    const audiences = new Set<string>([...ROLES, "PUBLIC", "ANY_TOKEN"]);
    for (const [field, audience] of Object.entries(OPERATION_POLICY)) {
      expect({ field, unknown: audience.filter((a) => !audiences.has(a)) }).toEqual({
        field,
        unknown: [],
      });
    }
  });

  it("denies an operation the policy does not name, to every caller", () => {
    for (const role of ROLES) expect(decide(undefined, role)).toBe("FORBIDDEN");
    expect(decide(undefined, null)).toBe("UNAUTHENTICATED");
  });

  it("treats a refused call the same whatever the variables hold", async () => {
    const hr = await t.as("HR");
    const bad = await hr.op("CreateUnit", {
      input: unitInput({ code: "bad code", parentCode: "KZ-NOPE" }),
    });
    expect(errorOf(bad)).toEqual({ code: "FORBIDDEN" });
  });
});

describe("refused attempts", () => {
  const CREATE_UNIT =
    "mutation($input: CreateUnitInput!) { createUnit(input: $input) { unit { id } } }";

  it("audits a FORBIDDEN mutation as DENIED under the caller's principal, and changes nothing", async () => {
    const investigator = await t.newCaller("INVESTIGATOR");
    const input = unitInput();
    const result = await traced(t.url, investigator.token, CREATE_UNIT, { input });
    expect(errorOf(result)).toEqual({ code: "FORBIDDEN" });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([
      expect.objectContaining({
        action: "createUnit",
        outcome: "DENIED",
        principalId: investigator.principalId,
        principalRole: "INVESTIGATOR",
        entity: null,
        entityId: null,
      }),
    ]);
    expect(
      ok(await t.public.op("Units", { parentCode: "KZ-AST" })).units.map(
        (u: { code: string }) => u.code,
      ),
    ).not.toContain(input.code);
  });

  it("audits a call without a token as DENIED with no principal", async () => {
    const result = await traced(t.url, null, "query { officers(first: 1) { totalCount } }");
    expect(errorOf(result)).toEqual({ code: "UNAUTHENTICATED" });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([
      expect.objectContaining({
        action: "officers",
        outcome: "DENIED",
        principalId: null,
        principalRole: null,
        entity: null,
        entityId: null,
      }),
    ]);
  });

  it("audits a call with a revoked token as DENIED with no principal", async () => {
    const admin = await t.as("ADMIN");
    const victim = await t.newCaller("ADMIN", "Soon revoked");
    ok(await admin.op("RevokeApiToken", { principalId: victim.principalId }));
    const input = officerInput();
    const result = await traced(
      t.url,
      victim.token,
      "mutation($input: CreateOfficerInput!) { createOfficer(input: $input) { officer { id } } }",
      { input },
    );
    expect(errorOf(result)).toEqual({ code: "UNAUTHENTICATED" });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([
      expect.objectContaining({ action: "createOfficer", outcome: "DENIED", principalId: null }),
    ]);
    expect(
      errorOf(
        await admin.query("query($b: String!) { officer(badgeNumber: $b) { id } }", {
          b: input.badgeNumber,
        }),
      ),
    ).toEqual({ code: "NOT_FOUND" });
  });

  it("writes no principal when a non-admin tries to issue a token", async () => {
    const supervisor = await t.newCaller("SUPERVISOR");
    const name = `Sneaky ${unique("P")}`;
    const result = await traced(
      t.url,
      supervisor.token,
      "mutation($input: IssueApiTokenInput!) { issueApiToken(input: $input) { token } }",
      {
        input: { role: "ADMIN", name },
      },
    );
    expect(errorOf(result)).toEqual({ code: "FORBIDDEN" });
    expect(await t.database.db.select().from(principals).where(eq(principals.name, name))).toEqual(
      [],
    );
    expect(
      (await auditRowsOfRequest(t.database.db, result.requestId)).map((r) => [r.action, r.outcome]),
    ).toEqual([["issueApiToken", "DENIED"]]);
  });

  it("leaves an officer as they were after a refused transfer and status change", async () => {
    const admin = await t.as("ADMIN");
    const officer = await createOfficer(admin);
    const hr = await t.as("HR");
    const transfer = { input: { badgeNumber: officer.badgeNumber, unitCode: "KZ-ALA" } };
    expect(errorOf(await hr.op("TransferOfficer", transfer))).toEqual({ code: "FORBIDDEN" });
    const status = {
      input: { badgeNumber: officer.badgeNumber, status: "DISMISSED", reason: "Order 1" },
    };
    expect(errorOf(await t.public.op("ChangeOfficerStatus", status))).toEqual({
      code: "UNAUTHENTICATED",
    });
    const { officer: now } = ok(
      await admin.query(
        "query($b: String!) { officer(badgeNumber: $b) { status unit { code } assignments { to } } }",
        { b: officer.badgeNumber },
      ),
    );
    expect(now).toEqual({
      status: "ACTIVE",
      unit: { code: "KZ-AST" },
      assignments: [{ to: null }],
    });
    expect((await auditRowsOfEntity(t.database.db, officer.id)).map((r) => r.action)).toEqual([
      "createOfficer",
    ]);
  });

  it("writes one record for a refused field asked for twice in one request", async () => {
    const analyst = await t.newCaller("ANALYST");
    const result = await traced(
      t.url,
      analyst.token,
      "query { a: officers(first: 1) { totalCount } b: officers(first: 2) { totalCount } }",
    );
    // Both fields are non-null, so graphql-js may report only the first refusal; both were attempted.
    expect(result.errors?.length).toBeGreaterThanOrEqual(1);
    expect(result.errors?.every((e) => e.extensions.code === "FORBIDDEN")).toBe(true);
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([
      expect.objectContaining({
        action: "officers",
        outcome: "DENIED",
        principalId: analyst.principalId,
        principalRole: "ANALYST",
      }),
    ]);
  });

  it("has every refused field of a request on record by the time the refusal arrives", async () => {
    const analyst = await t.newCaller("ANALYST");
    const result = await traced(
      t.url,
      analyst.token,
      "query { officers(first: 1) { totalCount } verifyAuditChain { ok } ranks { code } }",
    );
    expect(result.errors?.every((e) => e.extensions.code === "FORBIDDEN")).toBe(true);
    // One record for the request, naming everything it was refused.
    const rows = await auditRowsOfRequest(t.database.db, result.requestId);
    expect(rows.map((r) => [r.action, r.outcome, r.principalId])).toEqual([
      ["officers,verifyAuditChain", "DENIED", analyst.principalId],
    ]);
  });

  it("writes nothing for an allowed query", async () => {
    const hr = await t.newCaller("HR");
    const result = await traced(
      t.url,
      hr.token,
      "query { officers(first: 1) { totalCount } ranks { code } me { id } }",
    );
    ok(result);
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
  });

  it("shows denied attempts to the auditor, by principal", async () => {
    const hr = await t.newCaller("HR", "Personnel sync");
    expect(errorOf(await hr.op("VerifyAuditChain"))).toEqual({ code: "FORBIDDEN" });
    const auditor = await t.as("AUDITOR");
    const { auditTrail } = ok(await auditor.op("AuditTrail", { principalId: hr.principalId }));
    expect(auditTrail.totalCount).toBe(1);
    expect(auditTrail.edges[0].node).toMatchObject({
      action: "verifyAuditChain",
      outcome: "DENIED",
      entity: null,
      entityId: null,
      principal: { id: hr.principalId, name: "Personnel sync", role: "HR" },
    });
  });
});
