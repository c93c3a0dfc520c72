import { eq } from "drizzle-orm";
import { createPrincipal } from "../src/auth/token";
import { principals } from "../src/db/schema";
import { auditRowsOfEntity, auditRowsOfRequest, traced, tracedCaller } from "./helpers/audit";
import { complaintId, submitComplaint } from "./helpers/complaints";
import { asFixture } from "./helpers/database";
import { unique } from "./helpers/factories";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";
import { issueApproved, issueThroughApi } from "./helpers/tokens";

const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const principalRow = async (id: string) =>
  (await t.database.db.select().from(principals).where(eq(principals.id, id)))[0];

const approve = async (principalId: string, token?: string) =>
  traced(t.url, token ?? (await t.as("SUPERVISOR")).token, APPROVE, { principalId });
const APPROVE = `mutation($principalId: ID!) {
  approveApiToken(principalId: $principalId) { principal { id status } }
}`;

/** Requests that need a working token, each answered for an unknown token as for no token at all. */
const NEEDS_TOKEN = [
  "query { me { id } }",
  "query { officers(first: 1) { totalCount } }",
  "query { complaints(first: 1) { totalCount } }",
  "query { auditTrail(first: 1) { totalCount } }",
];

describe("casework tokens issued through the API", () => {
  it.each(["INVESTIGATOR", "SUPERVISOR", "AUDITOR"] as const)(
    "issues a %s token PENDING, answered everywhere exactly as an unknown token is",
    async (role) => {
      const { token, principal } = await issueThroughApi(t, { role });
      expect(principal).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        role,
        status: "PENDING",
        expiresAt: expect.any(String),
      });
      const unknown = `snm_${"A".repeat(43)}`;
      for (const document of NEEDS_TOKEN) {
        const pending = await traced(t.url, token, document);
        const stranger = await traced(t.url, unknown, document);
        expect(errorOf(pending)).toEqual({ code: "UNAUTHENTICATED" });
        expect(pending.errors).toEqual(stranger.errors);
        expect(pending.data ?? null).toBeNull();
        // Refused as a stranger is: the DENIED record names no principal.
        expect(
          (await auditRowsOfRequest(t.database.db, pending.requestId)).map((r) => [
            r.outcome,
            r.principalId,
          ]),
        ).toEqual([["DENIED", null]]);
      }
      // The public operations answer it as they answer anyone.
      expect(ok(await t.caller(token).op("Units", {})).units.length).toBeGreaterThan(0);
    },
  );

  it.each(["ADMIN", "HR", "ANALYST", "INTAKE"] as const)(
    "issues a %s token ACTIVE at once",
    async (role) => {
      const { token, principal } = await issueThroughApi(t, { role });
      expect(principal.status).toBe("ACTIVE");
      expect(ok(await t.caller(token).op("Me")).me).toEqual(principal);
    },
  );

  it("activates a token once a supervisor other than its issuer approves it, recording who and when", async () => {
    const admin = await t.as("ADMIN");
    const { token, principal } = await issueThroughApi(t, { role: "INVESTIGATOR" });
    const supervisor = await t.newCaller("SUPERVISOR", "Head of internal affairs");
    const result = await approve(principal.id, supervisor.token!);
    expect(ok(result).approveApiToken.principal).toEqual({ id: principal.id, status: "ACTIVE" });

    expect(ok(await t.caller(token).op("Me")).me).toEqual({ ...principal, status: "ACTIVE" });
    const row = await principalRow(principal.id);
    expect(row).toMatchObject({
      createdBy: admin.principalId,
      approvedBy: supervisor.principalId,
      activatedAt: expect.any(Date),
    });
    expect(Math.abs(row.activatedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([
      expect.objectContaining({
        action: "approveApiToken",
        entity: "Principal",
        entityId: principal.id,
        outcome: "SUCCESS",
        principalId: supervisor.principalId,
        principalRole: "SUPERVISOR",
      }),
    ]);
  });

  it("shows the contract's ApproveApiToken payload", async () => {
    const { principal } = await issueThroughApi(t, { role: "AUDITOR" });
    const supervisor = await t.as("SUPERVISOR");
    const { approveApiToken } = ok(
      await supervisor.op("ApproveApiToken", { principalId: principal.id }),
    );
    expect(approveApiToken.principal).toEqual({
      id: principal.id,
      role: "AUDITOR",
      status: "ACTIVE",
      expiresAt: principal.expiresAt,
    });
  });

  it("refuses a second approval with INVALID_STATE, changing nothing", async () => {
    const { principal } = await issueApproved(t, { role: "SUPERVISOR" });
    const before = await principalRow(principal.id);
    expect(errorOf(await approve(principal.id))).toEqual({ code: "INVALID_STATE" });
    expect(await principalRow(principal.id)).toEqual(before);
  });

  it("refuses to approve a revoked or an expired pending token with INVALID_STATE", async () => {
    const admin = await t.as("ADMIN");
    const revoked = await issueThroughApi(t, { role: "INVESTIGATOR" });
    ok(await admin.op("RevokeApiToken", { principalId: revoked.principal.id }));
    expect(errorOf(await approve(revoked.principal.id))).toEqual({ code: "INVALID_STATE" });

    const expired = await issueThroughApi(t, { role: "INVESTIGATOR" });
    await asFixture(t.database.db, (tx) =>
      tx
        .update(principals)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(principals.id, expired.principal.id)),
    );
    expect(errorOf(await approve(expired.principal.id))).toEqual({ code: "INVALID_STATE" });
    expect(errorOf(await t.caller(expired.token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("gives NOT_FOUND for a principal that does not exist, malformed or not", async () => {
    for (const principalId of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
      expect(errorOf(await approve(principalId))).toEqual({ code: "NOT_FOUND" });
  });

  it("lets no one but a SUPERVISOR approve: the issuing ADMIN and every other role get FORBIDDEN", async () => {
    const { token, principal } = await issueThroughApi(t, { role: "INVESTIGATOR" });
    for (const role of ["ADMIN", "INVESTIGATOR", "AUDITOR", "HR", "ANALYST", "INTAKE"] as const) {
      const caller = await t.as(role);
      expect(errorOf(await approve(principal.id, caller.token!))).toEqual({ code: "FORBIDDEN" });
    }
    expect((await principalRow(principal.id)).activatedAt).toBeNull();
    expect(errorOf(await t.caller(token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
  });

  it("refuses a supervisor approving a token they issued, or their own, with FORBIDDEN on record", async () => {
    const supervisor = await t.newCaller("SUPERVISOR");
    // Only ADMIN issues through the API; a token a supervisor issued is made here directly.
    const { principal } = await asFixture(t.database.db, (tx) =>
      createPrincipal(tx, {
        role: "INVESTIGATOR",
        name: `Issued by a supervisor ${unique("P")}`,
        createdBy: supervisor.principalId,
        pending: true,
      }),
    );
    const issuer = await approve(principal.id, supervisor.token!);
    expect(errorOf(issuer)).toEqual({ code: "FORBIDDEN" });
    expect((await principalRow(principal.id)).activatedAt).toBeNull();
    expect(
      (await auditRowsOfRequest(t.database.db, issuer.requestId)).map((r) => [
        r.action,
        r.outcome,
        r.principalId,
      ]),
    ).toEqual([["approveApiToken", "DENIED", supervisor.principalId]]);

    // Its own principal: refused for who is asking, before its state is looked at.
    expect(errorOf(await approve(supervisor.principalId!, supervisor.token!))).toEqual({
      code: "FORBIDDEN",
    });
  });
});

describe("the ADMIN escalation (issue 16)", () => {
  it("leaves a SUPERVISOR token an ADMIN issued itself useless until another supervisor approves it", async () => {
    const admin = await t.newCaller("ADMIN", "Sysadmin Bekov");
    const investigator = await t.as("INVESTIGATOR");
    const { receipt } = await submitComplaint(t.public);
    const id = await complaintId(investigator, receipt.trackingNumber);

    // The ADMIN's own token reads no complaint.
    expect(errorOf(await admin.op("CaseFile", { id }))).toEqual({ code: "FORBIDDEN" });
    // It issues itself two SUPERVISOR tokens, hoping one approves the other.
    const issue = async () =>
      ok(
        await admin.op("IssueApiToken", {
          input: { role: "SUPERVISOR", name: "Sysadmin Bekov" },
        }),
      ).issueApiToken;
    const [mine, spare] = [await issue(), await issue()];
    expect([mine.principal.status, spare.principal.status]).toEqual(["PENDING", "PENDING"]);

    const self = t.caller(mine.token);
    const read = await self.op("CaseFile", { id });
    expect(errorOf(read)).toEqual({ code: "UNAUTHENTICATED" });
    expect(read.data ?? null).toBeNull();
    expect(JSON.stringify(read)).not.toContain("Aigerim");
    const erase = await self.op("EraseComplainantData", {
      input: { complaintId: id, reason: "Cleaning up" },
    });
    expect(errorOf(erase)).toEqual({ code: "UNAUTHENTICATED" });
    // Neither the ADMIN nor its other pending token can approve it.
    const byAdmin = await approve(mine.principal.id, admin.token!);
    expect(errorOf(byAdmin)).toEqual({ code: "FORBIDDEN" });
    expect(errorOf(await approve(mine.principal.id, spare.token))).toEqual({
      code: "UNAUTHENTICATED",
    });
    const { complaint } = ok(await investigator.op("CaseFile", { id }));
    expect(complaint.complainant.fullName).toBe("Aigerim Sadykova");

    // The auditor sees the attempt: the token issued, and the approval refused, under the ADMIN.
    expect(
      (await auditRowsOfEntity(t.database.db, mine.principal.id)).map((r) => [
        r.action,
        r.outcome,
        r.principalId,
      ]),
    ).toEqual([["issueApiToken", "SUCCESS", admin.principalId]]);
    expect(
      (await auditRowsOfRequest(t.database.db, byAdmin.requestId)).map((r) => [
        r.action,
        r.outcome,
        r.principalId,
      ]),
    ).toEqual([["approveApiToken", "DENIED", admin.principalId]]);

    // Only a real second person makes it work.
    ok(await approve(mine.principal.id));
    expect(ok(await self.op("CaseFile", { id })).complaint.complainant.fullName).toBe(
      "Aigerim Sadykova",
    );
  });
});

describe("expiry", () => {
  it("gives a token 90 days when no expiry is asked for", async () => {
    const { principal } = await issueThroughApi(t, { role: "HR" });
    const expected = Date.now() + 90 * DAY_MS;
    expect(Math.abs(new Date(principal.expiresAt).getTime() - expected)).toBeLessThan(60_000);
    expect((await principalRow(principal.id)).expiresAt.toISOString()).toBe(principal.expiresAt);
  });

  it("keeps the expiry asked for, up to 365 days ahead", async () => {
    const expiresAt = inDays(365 - 0.01);
    const { principal } = await issueThroughApi(t, { role: "ANALYST", expiresAt });
    expect(principal.expiresAt).toBe(expiresAt);
  });

  it.each([
    ["366 days ahead", inDays(366)],
    ["in the past", inDays(-1)],
    ["now", new Date().toISOString()],
  ])(
    "refuses an expiry %s with BAD_USER_INPUT on input.expiresAt, writing nothing",
    async (_, expiresAt) => {
      const admin = await t.as("ADMIN");
      const name = `Too long ${unique("P")}`;
      const result = await traced(
        t.url,
        admin.token,
        "mutation($input: IssueApiTokenInput!) { issueApiToken(input: $input) { token } }",
        { input: { role: "HR", name, expiresAt } },
      );
      expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.expiresAt" });
      expect(
        await t.database.db.select().from(principals).where(eq(principals.name, name)),
      ).toEqual([]);
      expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
    },
  );

  it("refuses an expired token as UNAUTHENTICATED, and shows it EXPIRED wherever it is named", async () => {
    const intake = await issueThroughApi(t, { role: "INTAKE", expiresAt: inDays(1) });
    const { receipt } = await submitComplaint(t.caller(intake.token), { channel: "EOTINISH" });
    await asFixture(t.database.db, (tx) =>
      tx
        .update(principals)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(principals.id, intake.principal.id)),
    );
    expect(errorOf(await t.caller(intake.token).op("Me"))).toEqual({ code: "UNAUTHENTICATED" });
    const investigator = await t.as("INVESTIGATOR");
    const id = await complaintId(investigator, receipt.trackingNumber);
    const { complaint } = ok(
      await investigator.query(
        "query($id: ID!) { complaint(id: $id) { registeredBy { id status expiresAt } } }",
        { id },
      ),
    );
    expect(complaint.registeredBy).toEqual({
      id: intake.principal.id,
      status: "EXPIRED",
      expiresAt: expect.any(String),
    });
    expect(new Date(complaint.registeredBy.expiresAt).getTime()).toBeLessThan(Date.now());
  });

  it("shows a revoked principal REVOKED", async () => {
    const intake = await issueThroughApi(t, { role: "INTAKE" });
    const { receipt } = await submitComplaint(t.caller(intake.token), { channel: "EOTINISH" });
    ok(await (await t.as("ADMIN")).op("RevokeApiToken", { principalId: intake.principal.id }));
    const investigator = await t.as("INVESTIGATOR");
    const id = await complaintId(investigator, receipt.trackingNumber);
    const { complaint } = ok(
      await investigator.query(
        "query($id: ID!) { complaint(id: $id) { registeredBy { status } } }",
        {
          id,
        },
      ),
    );
    expect(complaint.registeredBy.status).toBe("REVOKED");
  });

  it("does not let a pending investigator be assigned a case", async () => {
    const { principal } = await issueThroughApi(t, { role: "INVESTIGATOR" });
    const supervisor = await t.as("SUPERVISOR");
    const { receipt } = await submitComplaint(t.public);
    const id = await complaintId(supervisor, receipt.trackingNumber);
    expect(
      errorOf(
        await supervisor.op("AssignComplaint", {
          input: { complaintId: id, assigneeId: principal.id, expectedVersion: 1 },
        }),
      ),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.assigneeId" });
  });
});

describe("me", () => {
  it("shows the caller's status and expiry", async () => {
    const expiresAt = inDays(30);
    const { token, principal } = await issueApproved(t, { role: "AUDITOR", expiresAt });
    expect(ok(await t.caller(token).op("Me")).me).toEqual({
      id: principal.id,
      name: principal.name,
      role: "AUDITOR",
      status: "ACTIVE",
      expiresAt,
    });
  });
});

describe("channels of INTAKE tokens", () => {
  it("binds an INTAKE token to the channel it was issued for, shown on its principal", async () => {
    const { token } = await issueThroughApi(t, { role: "INTAKE", channel: "TELEGRAM_BOT" });
    const { me } = ok(await t.caller(token).query("query { me { role channel } }"));
    expect(me).toEqual({ role: "INTAKE", channel: "TELEGRAM_BOT" });
  });

  it.each([
    ["an INTAKE token without a channel", { role: "INTAKE", channel: null }],
    ["another role with a channel", { role: "HR", channel: "EGOV" }],
  ])("refuses %s with BAD_USER_INPUT on input.channel", async (_, input) => {
    const admin = await t.as("ADMIN");
    const result = await tracedCaller(t.url, admin).op("IssueApiToken", {
      input: { name: `Portal ${unique("P")}`, ...input },
    });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.channel" });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
  });
});
