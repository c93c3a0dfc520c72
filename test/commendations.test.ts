import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { commendations } from "../src/db/schema";
import { rows } from "../src/db/client";
import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";
import { createDistrict, createOfficer } from "./helpers/factories";

let t: TestServer;
let admin: Caller;
let supervisor: Caller;
let investigator: Caller;
beforeAll(async () => {
  t = await startTestServer();
  [admin, supervisor, investigator] = await Promise.all([
    t.as("ADMIN"),
    t.as("SUPERVISOR"),
    t.as("INVESTIGATOR"),
  ]);
});
afterAll(() => t.close());

const commendationInput = (overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  channel: "WEB_FORM",
  officer: { description: "young officer at the metro station" },
  occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
  narrative: "Helped my lost child get home.",
  submitter: { fullName: "Dauren Abenov", email: "d.abenov@example.kz" },
  ...overrides,
});

/** Submits and returns the receipt plus the commendation's id as the review queue shows it. */
async function submit(overrides: Record<string, unknown> = {}) {
  const input = commendationInput(overrides);
  const receipt = ok(await t.public.op("SubmitCommendation", { input })).submitCommendation.receipt;
  const [row] = await t.database.db
    .select()
    .from(commendations)
    .where(eq(commendations.trackingNumber, receipt.trackingNumber));
  return { input, receipt, id: row.id, row };
}

const listFor = async (caller: Caller, filter: Record<string, unknown>, first = 50) =>
  ok(await caller.op("Commendations", { filter, first })).commendations;

describe("a citizen's commendation", () => {
  it("is listed for an AUDITOR, as the contract's Commendations asks, with its citizen's text refused", async () => {
    const { id } = await submit();
    const auditor = await t.as("AUDITOR");
    const result = await auditor.op("Commendations", {
      filter: { status: "SUBMITTED" },
      first: 100,
    });
    const listed = result.data?.commendations.edges.map((e: { node: { id: string } }) => e.node);
    expect(listed.find((n: { id: string }) => n.id === id)).toMatchObject({
      id,
      narrative: null,
    });
    expect(new Set(result.errors?.map((e) => e.extensions.code))).toEqual(new Set(["FORBIDDEN"]));
  });

  it("is registered with a CMD tracking number, SUBMITTED, and seals the submitter's data", async () => {
    const marker = `Marker${randomUUID().slice(0, 8)}`;
    const { receipt, row } = await submit({
      submitter: { fullName: `Dauren ${marker}`, email: `${marker}@example.kz` },
      narrative: `Thanks ${marker}`,
    });
    expect(receipt.trackingNumber).toMatch(/^CMD-\d{4}-\d{6}$/);
    expect(row.status).toBe("SUBMITTED");
    expect(JSON.stringify(row)).not.toContain(marker);
  });

  it("returns the same receipt for a retry, once however many arrive together, and refuses the key for other input", async () => {
    const input = commendationInput();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.public.op("SubmitCommendation", { input })),
    );
    const numbers = new Set(results.map((r) => ok(r).submitCommendation.receipt.trackingNumber));
    expect(numbers.size).toBe(1);
    const stored = await t.database.db
      .select()
      .from(commendations)
      .where(eq(commendations.trackingNumber, [...numbers][0]));
    expect(stored).toHaveLength(1);
    const again = await t.public.op("SubmitCommendation", {
      input: { ...input, narrative: "Something else entirely." },
    });
    expect(errorOf(again)).toEqual({
      code: "IDEMPOTENCY_KEY_REUSED",
      field: "input.idempotencyKey",
    });
  });

  it("links an officer given by badge, with the unit they served in on that day", async () => {
    const district = await createDistrict(admin);
    const officer = await createOfficer(admin, { unitCode: district });
    const { row } = await submit({ officer: { badgeNumber: officer.badgeNumber } });
    expect(row.officerId).toBe(officer.id);
    const [{ code }] = await rows<{ code: string }>(
      t.database.db,
      sql`select code from units where id = ${row.unitId}`,
    );
    expect(code).toBe(district);
  });

  it.each([
    [
      "an unknown badge",
      { officer: { badgeNumber: "NO-SUCH-BADGE" } },
      "input.officer.badgeNumber",
    ],
    [
      "both badge and description",
      { officer: { badgeNumber: "X-1", description: "someone" } },
      "input.officer",
    ],
    ["neither badge nor description", { officer: {} }, "input.officer"],
    [
      "a future date",
      { occurredAt: new Date(Date.now() + 86_400_000).toISOString() },
      "input.occurredAt",
    ],
    ["an empty narrative", { narrative: "   " }, "input.narrative"],
    ["a narrative with NUL", { narrative: "thanks\u0000" }, "input.narrative"],
    ["a malformed email", { submitter: { email: "not-an-email" } }, "input.submitter.email"],
    ["a malformed key", { idempotencyKey: "123" }, "input.idempotencyKey"],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_what, overrides, field) => {
    const before = await rows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from commendations`,
    );
    const result = await t.public.op("SubmitCommendation", { input: commendationInput(overrides) });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field });
    if (!t.database.url) {
      const after = await rows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from commendations`,
      );
      expect(after[0].n).toBe(before[0].n);
    }
  });
});

describe("review by a supervisor", () => {
  it("verifies a submitted commendation once; a second decision is INVALID_STATE", async () => {
    const officer = await createOfficer(admin);
    const { id } = await submit({ officer: { badgeNumber: officer.badgeNumber } });
    const verified = ok(
      await supervisor.op("VerifyCommendation", { input: { commendationId: id } }),
    );
    expect(verified.verifyCommendation.commendation).toEqual({ id, status: "VERIFIED" });
    expect(
      errorOf(await supervisor.op("RejectCommendation", { input: { commendationId: id } })),
    ).toEqual({ code: "INVALID_STATE" });
  });

  it("needs the officer identified before verifying a described one, and takes the badge on review", async () => {
    const officer = await createOfficer(admin);
    const { id } = await submit();
    expect(
      errorOf(await supervisor.op("VerifyCommendation", { input: { commendationId: id } })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.officerBadge" });
    ok(
      await supervisor.op("VerifyCommendation", {
        input: { commendationId: id, officerBadge: officer.badgeNumber },
      }),
    );
    const list = await listFor(supervisor, { officerBadge: officer.badgeNumber });
    expect(
      list.edges.map((e: any) => [e.node.id, e.node.status, e.node.officer.badgeNumber]),
    ).toEqual([[id, "VERIFIED", officer.badgeNumber]]);
  });

  it("rejects one without an identified officer", async () => {
    const { id } = await submit();
    expect(
      ok(
        await supervisor.op("RejectCommendation", {
          input: { commendationId: id, note: "not our officer" },
        }),
      ).rejectCommendation.commendation.status,
    ).toBe("REJECTED");
  });

  it("is for SUPERVISOR only, and an unknown id is NOT_FOUND", async () => {
    const { id } = await submit();
    expect(
      errorOf(await investigator.op("VerifyCommendation", { input: { commendationId: id } })),
    ).toEqual({ code: "FORBIDDEN" });
    expect(
      errorOf(await t.public.op("RejectCommendation", { input: { commendationId: id } })),
    ).toEqual({ code: "UNAUTHENTICATED" });
    expect(
      errorOf(
        await supervisor.op("VerifyCommendation", { input: { commendationId: randomUUID() } }),
      ),
    ).toEqual({ code: "NOT_FOUND" });
  });

  it("records a supervisor's own award as VERIFIED, and refuses a citizen type", async () => {
    const officer = await createOfficer(admin);
    const input = {
      officerBadge: officer.badgeNumber,
      type: "LIFE_SAVING",
      occurredAt: "2026-10-01T00:00:00Z",
      narrative: "Pulled a driver from a burning car.",
    };
    const recorded = ok(await supervisor.op("RecordCommendation", { input })).recordCommendation
      .commendation;
    expect(recorded).toMatchObject({ status: "VERIFIED", type: "LIFE_SAVING" });
    expect(
      errorOf(
        await supervisor.op("RecordCommendation", {
          input: { ...input, type: "CITIZEN_COMPLIMENT" },
        }),
      ),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.type" });
    expect(errorOf(await investigator.op("RecordCommendation", { input }))).toEqual({
      code: "FORBIDDEN",
    });
  });

  it("writes one audit record per decision, without personal data", async () => {
    const { id } = await submit({ submitter: { fullName: "Unique Auditname" } });
    ok(await supervisor.op("RejectCommendation", { input: { commendationId: id } }));
    const audit = await rows<Record<string, unknown>>(
      t.database.db,
      sql`select * from audit_log where entity_id = ${id} order by seq`,
    );
    expect(audit.map((r) => r.action)).toEqual(["submitCommendation", "rejectCommendation"]);
    expect(JSON.stringify(audit)).not.toContain("Auditname");
  });
});

describe("the commendations list", () => {
  it("filters by status and the unit subtree, newest first, in pages", async () => {
    const district = await createDistrict(admin, "KZ-PAV");
    const officer = await createOfficer(admin, { unitCode: district });
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push((await submit({ officer: { badgeNumber: officer.badgeNumber } })).id);
    ok(await supervisor.op("VerifyCommendation", { input: { commendationId: ids[0] } }));
    const submitted = await listFor(investigator, { unitCode: district, status: "SUBMITTED" });
    expect(submitted.totalCount).toBe(4);
    expect(submitted.edges.map((e: any) => e.node.id)).toEqual(ids.slice(1).reverse());
    const page1 = ok(
      await investigator.query(
        `query($f: CommendationFilter) { commendations(filter: $f, first: 3) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { f: { unitCode: district } },
      ),
    ).commendations;
    const page2 = ok(
      await investigator.query(
        `query($f: CommendationFilter, $a: String) { commendations(filter: $f, first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`,
        { f: { unitCode: district }, a: page1.pageInfo.endCursor },
      ),
    ).commendations;
    expect([...page1.edges, ...page2.edges].map((e: any) => e.node.id)).toEqual([...ids].reverse());
    expect([page1.pageInfo.hasNextPage, page2.pageInfo.hasNextPage]).toEqual([true, false]);
  });

  it("shows the narrative and submitter to internal affairs, never to auditors, and refuses HR", async () => {
    const { receipt } = await submit({ narrative: "She found my wallet." });
    const query = `query { commendations(first: 100) { edges { node { trackingNumber narrative submitter { fullName } } } } }`;
    const mine = ok(await investigator.query(query)).commendations.edges.find(
      (e: any) => e.node.trackingNumber === receipt.trackingNumber,
    );
    expect(mine.node).toMatchObject({
      narrative: "She found my wallet.",
      submitter: { fullName: "Dauren Abenov" },
    });
    const auditor = await t.as("AUDITOR");
    expect(errorOf(await auditor.query(query))).toEqual({ code: "FORBIDDEN" });
    expect(
      ok(await auditor.query(`query { commendations(first: 1) { totalCount } }`)).commendations
        .totalCount,
    ).toBeGreaterThan(0);
    expect(errorOf(await (await t.as("HR")).op("Commendations", {}))).toEqual({
      code: "FORBIDDEN",
    });
  });
});
