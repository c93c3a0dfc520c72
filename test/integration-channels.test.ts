import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { decide, OPERATION_POLICY } from "../src/auth/policy";
import { commendations } from "../src/db/schema";
import { auditRowsOfRequest, tracedCaller, type TracedCaller } from "./helpers/audit";
import { complaintId, complaintInput, submitComplaint } from "./helpers/complaints";
import { createOfficer } from "./helpers/factories";
import { idempotencyRow } from "./helpers/intake";
import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";

let t: TestServer;
/** eOtinish's integration: an INTAKE token bound to EOTINISH. */
let portal: Caller;
beforeAll(async () => {
  // One build of each year's public figures for the whole file: the portal's and the public's answers
  // then come from the same figures, whatever other test files write to a shared database meanwhile.
  t = await startTestServer({ PUBLIC_METRICS_REFRESH_SECONDS: "3600" });
  portal = await t.newCaller("INTAKE", "eOtinish integration");
});
afterAll(() => t.close());

const commendationInput = (overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  channel: "EOTINISH",
  officer: { description: "officer at the bus station" },
  occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
  narrative: "Found my lost passport and returned it.",
  ...overrides,
});

describe("an INTAKE token", () => {
  it("reaches every public operation", async () => {
    const { receipt } = await submitComplaint(portal, { channel: "EOTINISH" });
    const { complaintStatus } = ok(
      await portal.op("ComplaintStatus", {
        trackingNumber: receipt.trackingNumber,
        accessCode: receipt.accessCode,
      }),
    );
    expect(complaintStatus.status).toBe("REGISTERED");
    // Reached the service, which refuses feedback on an open complaint.
    const feedback = await portal.op("SubmitComplaintFeedback", {
      input: { trackingNumber: receipt.trackingNumber, accessCode: receipt.accessCode, rating: 5 },
    });
    expect(errorOf(feedback)).toEqual({ code: "INVALID_STATE" });
    ok(await portal.op("SubmitCommendation", { input: commendationInput() }));
    expect(ok(await portal.op("Units", {})).units.length).toBeGreaterThan(0);
    expect(ok(await portal.query("query { ranks { code } }")).ranks.length).toBeGreaterThan(0);
    expect(ok(await portal.op("Me")).me).toMatchObject({ role: "INTAKE", status: "ACTIVE" });
  });

  it("gets the public's suppressed trust metrics, not exact ones", async () => {
    const variables = { scope: "MVD", from: "2025-01-01", to: "2026-01-01" };
    const published = ok(await t.public.op("TrustMetrics", variables)).trustMetrics;
    expect(ok(await portal.op("TrustMetrics", variables)).trustMetrics).toEqual(published);
    const series = { ...variables, interval: "YEAR" };
    expect(ok(await portal.op("TrustMetricsSeries", series)).trustMetricsSeries).toEqual(
      ok(await t.public.op("TrustMetricsSeries", series)).trustMetricsSeries,
    );
  });

  describe("is FORBIDDEN everything else, on record", () => {
    let badge: string;
    let id: string;
    let traced: TracedCaller;
    beforeAll(async () => {
      badge = (await createOfficer(await t.as("ADMIN"))).badgeNumber;
      const { receipt } = await submitComplaint(portal, { channel: "EOTINISH" });
      id = await complaintId(await t.as("INVESTIGATOR"), receipt.trackingNumber);
      traced = tracedCaller(t.url, portal);
    });

    const STAFF_CALLS: [string, () => Promise<{ requestId: string; errors?: unknown }>][] = [
      ["complaints", () => traced.op("CaseQueue", { first: 5 })],
      ["complaint", () => traced.op("CaseFile", { id })],
      ["officer", () => traced.op("OfficerProfile", { badgeNumber: badge })],
      ["officers", () => traced.query("query { officers(first: 1) { totalCount } }")],
      ["officerStanding", () => traced.op("OfficerStanding", { badgeNumber: badge })],
      ["officerStandings", () => traced.op("UnitStandings", { unitCode: "KZ-AST" })],
      ["commendations", () => traced.op("Commendations", { first: 5 })],
      ["earlyWarningRules", () => traced.op("EarlyWarningRules")],
      ["auditTrail", () => traced.op("AuditTrail", { first: 1 })],
      ["verifyAuditChain", () => traced.op("VerifyAuditChain")],
      [
        "addCaseNote",
        () => traced.op("AddCaseNote", { input: { complaintId: id, note: "Forwarded by portal" } }),
      ],
      [
        "issueApiToken",
        () => traced.op("IssueApiToken", { input: { role: "INTAKE", name: "Another portal" } }),
      ],
    ];

    it.each(STAFF_CALLS.map(([name]) => name))("%s", async (name) => {
      const result = (await STAFF_CALLS.find(([n]) => n === name)![1]()) as {
        requestId: string;
        errors?: { extensions: { code: string } }[];
        data?: unknown;
      };
      expect(result.errors?.map((e) => e.extensions.code)).toEqual(["FORBIDDEN"]);
      expect(
        (await auditRowsOfRequest(t.database.db, result.requestId)).map((r) => [
          r.action,
          r.outcome,
          r.principalId,
          r.principalRole,
        ]),
      ).toEqual([[name, "DENIED", portal.principalId, "INTAKE"]]);
    });
  });

  it("is allowed, by the policy, exactly the public operations and `me`", () => {
    const allowed = Object.keys(OPERATION_POLICY).filter(
      (name) => decide(OPERATION_POLICY[name], "INTAKE") === "ALLOW",
    );
    const open = Object.keys(OPERATION_POLICY).filter((name) =>
      OPERATION_POLICY[name].includes("PUBLIC"),
    );
    expect(allowed.sort()).toEqual([...open, "me"].sort());
  });
});

describe("what an INTAKE channel registers", () => {
  it("shows investigators the channel's principal as registeredBy, and on the timeline", async () => {
    const { receipt } = await submitComplaint(portal, { channel: "EOTINISH" });
    const investigator = await t.as("INVESTIGATOR");
    const id = await complaintId(investigator, receipt.trackingNumber);
    const { complaint } = ok(
      await investigator.query(
        `query($id: ID!) { complaint(id: $id) {
          channel registeredBy { id name role channel status } timeline { kind actor { id } }
        } }`,
        { id },
      ),
    );
    expect(complaint).toEqual({
      channel: "EOTINISH",
      registeredBy: {
        id: portal.principalId,
        name: "eOtinish integration",
        role: "INTAKE",
        channel: "EOTINISH",
        status: "ACTIVE",
      },
      timeline: [{ kind: "REGISTERED", actor: { id: portal.principalId } }],
    });
    // A public form's complaint names no one.
    const { receipt: anonymous } = await submitComplaint(t.public);
    const other = await complaintId(investigator, anonymous.trackingNumber);
    expect(
      ok(
        await investigator.query("query($id: ID!) { complaint(id: $id) { registeredBy { id } } }", {
          id: other,
        }),
      ).complaint.registeredBy,
    ).toBeNull();
  });

  it("records the channel's principal on the commendations it submits", async () => {
    const { submitCommendation } = ok(
      await portal.op("SubmitCommendation", { input: commendationInput() }),
    );
    const [row] = await t.database.db
      .select({ recordedBy: commendations.recordedBy, channel: commendations.channel })
      .from(commendations)
      .where(eq(commendations.trackingNumber, submitCommendation.receipt.trackingNumber));
    expect(row).toEqual({ recordedBy: portal.principalId, channel: "EOTINISH" });
  });

  it("refuses a submission naming another channel than the token's, writing nothing", async () => {
    const complaint = complaintInput({ channel: "TELEGRAM_BOT" });
    expect(errorOf(await portal.op("SubmitComplaint", { input: complaint }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.channel",
    });
    expect(await idempotencyRow(t.database.db, complaint.idempotencyKey)).toBeNull();
    const commendation = commendationInput({ channel: "EGOV" });
    expect(errorOf(await portal.op("SubmitCommendation", { input: commendation }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.channel",
    });
    expect(await idempotencyRow(t.database.db, commendation.idempotencyKey)).toBeNull();
    // Staff registering a walk-in name the channel the citizen used, as before.
    ok(
      await (
        await t.as("INVESTIGATOR")
      ).op("SubmitComplaint", { input: complaintInput({ channel: "IN_PERSON" }) }),
    );
  });
});
