import { asFixture } from "./helpers/database";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { commendations } from "../src/db/schema";
import { advanceTo, openCase } from "./helpers/cases";
import { at, closeWith, metricsOf, moveDates as moveTo } from "./helpers/metrics";
import { createDistrict, createOfficer } from "./helpers/factories";
import { today } from "./helpers/officers";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";

/*
 * Exact figures on constructed data, on a database of this file's own (so national figures are exact
 * on PostgreSQL too). Records are made through the API; their dates are then moved into 2025 with plain
 * UPDATEs, which the roll-up triggers follow like any other write.
 */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { privateDatabase: true });
  await buildScenario();
}, 120_000);
afterAll(() => t.close());

const metrics = (role: "ANALYST" | "PUBLIC", unit: string, from: string, to: string) =>
  metricsOf(t, role, unit, from, to);
const moveDates = (id: string, dates: Parameters<typeof moveTo>[2]) => moveTo(t, id, dates);
const close = (id: string, outcomes: string[]) => closeWith(t, id, outcomes);

/** byCategory as { CATEGORY: [allegations, sustained] }, leaving out the all-zero categories. */
const categories = (
  list: { category: string; allegations: number | null; sustained: number | null }[],
) =>
  Object.fromEntries(
    list
      .filter((c) => c.allegations !== 0 || c.sustained !== 0)
      .map((c) => [c.category, [c.allegations, c.sustained]]),
  );

const units = { d1: "", d2: "", d3: "" };
const badges: Record<string, string> = {};

async function feedback(receipt: { trackingNumber: string; accessCode: string }, rating: number) {
  ok(
    await t.public.op("SubmitComplaintFeedback", {
      input: { trackingNumber: receipt.trackingNumber, accessCode: receipt.accessCode, rating },
    }),
  );
}

const complaint = (
  unitCode: string,
  categories: string[],
  officer: string | null,
  incidentDay: string,
) =>
  openCase(t, {
    unitCode,
    categories,
    officers: officer ? [{ badgeNumber: badges[officer] }] : [],
    incidentAt: at(incidentDay, "09:00:00").toISOString(),
  });

/**
 * KZ-AST: districts D1 and D2; KZ-ALA: district D3. Officers o1..o6 in D1, o7 in D2, o8 moved D1 -> D2 on
 * 2025-07-01, o9 in D3 (dismissed today), o10 joining D3 on 2025-06-01.
 */
async function buildScenario() {
  const admin = await t.as("ADMIN");
  units.d1 = await createDistrict(admin, "KZ-AST");
  units.d2 = await createDistrict(admin, "KZ-AST");
  units.d3 = await createDistrict(admin, "KZ-ALA");
  const hire = async (name: string, unitCode: string, hiredAt = "2020-01-01") =>
    (badges[name] = (await createOfficer(admin, { unitCode, hiredAt })).badgeNumber);
  for (let i = 1; i <= 6; i++) await hire(`o${i}`, units.d1);
  await hire("o7", units.d2);
  await hire("o8", units.d1);
  await hire("o9", units.d3);
  await hire("o10", units.d3, "2025-06-01");
  ok(
    await admin.op("TransferOfficer", {
      input: { badgeNumber: badges.o8, unitCode: units.d2, effectiveFrom: "2025-07-01" },
    }),
  );
  ok(
    await admin.op("ChangeOfficerStatus", {
      input: { badgeNumber: badges.o9, status: "DISMISSED", reason: "Order 12." },
    }),
  );

  // C1: D1, FORCE by o1, sustained; registered 02-10, due 03-03, closed late on 03-05 (23 days); rated 4.
  const c1 = await complaint(units.d1, ["FORCE"], "o1", "2025-02-09");
  await close(c1.id, ["SUSTAINED"]);
  await moveDates(c1.id, {
    registeredAt: at("2025-02-10"),
    responseDueAt: at("2025-03-03", "18:00:00"),
    closedAt: at("2025-03-05"),
  });
  await feedback(c1.receipt, 4);
  // C2: D1, DISCOURTESY by o8 while in D1; registered 03-01, closed in time 03-20 (19 days), not sustained; rated 2.
  const c2 = await complaint(units.d1, ["DISCOURTESY"], "o8", "2025-03-01");
  await close(c2.id, ["NOT_SUSTAINED"]);
  await moveDates(c2.id, {
    registeredAt: at("2025-03-01"),
    responseDueAt: at("2025-03-21", "18:00:00"),
    closedAt: at("2025-03-20"),
  });
  await feedback(c2.receipt, 2);
  // C3: D2, FORCE by o8 after the move; withdrawn (a closure reason: no finding); registered 08-02, closed 08-10.
  const c3 = await complaint(units.d2, ["FORCE"], "o8", "2025-08-01");
  await close(c3.id, ["WITHDRAWN"]);
  await moveDates(c3.id, {
    registeredAt: at("2025-08-02"),
    responseDueAt: at("2025-08-22", "18:00:00"),
    closedAt: at("2025-08-10"),
  });
  // C4: the region itself, OTHER, officer unknown; registered 11-20, due 12-10: open and overdue at the year's end.
  const c4 = await complaint("KZ-AST", ["OTHER"], null, "2025-11-19");
  await moveDates(c4.id, {
    registeredAt: at("2025-11-20"),
    responseDueAt: at("2025-12-10", "18:00:00"),
  });
  // C5: D3, CORRUPTION by o9; registered 05-05, deadline extended to 2026-06-30: open, not overdue at the year's end.
  const c5 = await complaint(units.d3, ["CORRUPTION"], "o9", "2025-05-04");
  await moveDates(c5.id, {
    registeredAt: at("2025-05-05"),
    responseDueAt: at("2025-05-26", "18:00:00"),
    extendedTo: at("2026-06-30", "18:00:00"),
  });
  // C6: D1, officer unknown; registered 12-30, due 2026-01-20; the complainant's data erased.
  const c6 = await complaint(units.d1, ["DOMESTIC_VIOLENCE_HANDLING"], null, "2025-12-29");
  await moveDates(c6.id, {
    registeredAt: at("2025-12-30"),
    responseDueAt: at("2026-01-20", "18:00:00"),
  });
  ok(
    await (
      await t.as("SUPERVISOR")
    ).op("EraseComplainantData", {
      input: { complaintId: c6.id, reason: "Complainant's request." },
    }),
  );
  // C7: D1, closed then reopened: open (and overdue) again, with no closure figures.
  const c7 = await complaint(units.d1, ["DOMESTIC_VIOLENCE_HANDLING"], null, "2025-03-31");
  await close(c7.id, ["MEDIATED"]);
  await advanceTo(t, c7.id, "REOPENED");
  await moveDates(c7.id, {
    registeredAt: at("2025-04-01"),
    responseDueAt: at("2025-04-22", "18:00:00"),
  });

  // Commendations: verified for o1 (06-01) and o7 (09-01) count; one left unverified and one rejected do not.
  const supervisor = await t.as("SUPERVISOR");
  const record = async (officer: string, day: string) => {
    const { id } = ok(
      await supervisor.op("RecordCommendation", {
        input: {
          officerBadge: badges[officer],
          type: "LIFE_SAVING",
          occurredAt: at(day).toISOString(),
          narrative: "Saved a child.",
        },
      }),
    ).recordCommendation.commendation;
    await asFixture(t.database.db, (tx) =>
      tx
        .update(commendations)
        .set({ registeredAt: at(day) })
        .where(eq(commendations.id, id)),
    );
  };
  await record("o1", "2025-06-01");
  await record("o7", "2025-09-01");
  const submitted = async (officer: string) => {
    const input = {
      idempotencyKey: randomUUID(),
      channel: "WEB_FORM",
      narrative: "Helped my mother.",
      occurredAt: at("2025-06-01").toISOString(),
      officer: { badgeNumber: badges[officer] },
    };
    const { trackingNumber } = ok(await t.public.op("SubmitCommendation", { input }))
      .submitCommendation.receipt;
    const [row] = await t.database.db
      .select()
      .from(commendations)
      .where(eq(commendations.trackingNumber, trackingNumber));
    await asFixture(t.database.db, (tx) =>
      tx
        .update(commendations)
        .set({ registeredAt: at("2025-06-02") })
        .where(eq(commendations.id, row.id)),
    );
    return row.id;
  };
  await submitted("o2");
  ok(
    await supervisor.op("RejectCommendation", {
      input: { commendationId: await submitted("o3"), note: "Not an officer of ours." },
    }),
  );
}

const YEAR = ["2025-01-01", "2026-01-01"] as const;

describe("trustMetrics: exact figures (ANALYST)", () => {
  it("counts a district by the definitions", async () => {
    const m = await metrics("ANALYST", units.d1, ...YEAR);
    expect(m).toMatchObject({
      unit: { code: units.d1 },
      from: "2025-01-01",
      to: "2026-01-01",
      officerCount: 6, // o1..o6; o8 left on 07-01
      complaintsReceived: 4, // C1, C2, C6, C7
      complaintsClosed: 2, // C1, C2 (C7 was reopened)
      allegationsWithFinding: 2,
      sustainRate: 0.5,
      medianDaysToClose: 21, // (19 + 23) / 2
      closedWithinDeadlineRate: 0.5,
      openCases: 2, // C6, C7
      overdueCases: 1, // C7
      commendations: 1,
      commendationToComplaintRatio: 0.25,
      satisfaction: { responses: 2, averageRating: 3 },
      suppressedFields: [],
      children: [],
    });
    expect(m.complaintsPer100Officers).toBeCloseTo(400 / 6, 10);
    expect(categories(m.byCategory)).toEqual({
      FORCE: [1, 1],
      DISCOURTESY: [1, 0],
      DOMESTIC_VIOLENCE_HANDLING: [2, 0],
    });
    expect(m.byCategory.map((c: { category: string }) => c.category)).toHaveLength(13);
  });

  it("follows the officer's unit at the incident, and leaves closure reasons out of findings", async () => {
    const m = await metrics("ANALYST", units.d2, ...YEAR);
    expect(m).toMatchObject({
      officerCount: 2, // o7 and o8 (from 07-01)
      complaintsReceived: 1,
      complaintsPer100Officers: 50,
      complaintsClosed: 1,
      allegationsWithFinding: 0,
      sustainRate: null,
      medianDaysToClose: 8,
      closedWithinDeadlineRate: 1,
      openCases: 0,
      overdueCases: 0,
      commendations: 1,
      commendationToComplaintRatio: 1,
      satisfaction: { responses: 0, averageRating: null },
    });
    expect(categories(m.byCategory)).toEqual({ FORCE: [1, 0] });
  });

  it("adds up a region over its districts and itself, with its children", async () => {
    const m = await metrics("ANALYST", "KZ-AST", ...YEAR);
    expect(m).toMatchObject({
      officerCount: 8,
      complaintsReceived: 6,
      complaintsPer100Officers: 75,
      complaintsClosed: 3,
      allegationsWithFinding: 2,
      sustainRate: 0.5,
      medianDaysToClose: 19,
      openCases: 3,
      overdueCases: 2,
      commendations: 2,
      satisfaction: { responses: 2, averageRating: 3 },
    });
    expect(m.closedWithinDeadlineRate).toBeCloseTo(2 / 3, 10);
    expect(m.commendationToComplaintRatio).toBeCloseTo(2 / 6, 10);
    expect(categories(m.byCategory)).toEqual({
      FORCE: [2, 1],
      DISCOURTESY: [1, 0],
      DOMESTIC_VIOLENCE_HANDLING: [2, 0],
      OTHER: [1, 0],
    });
    const children = Object.fromEntries(
      m.children.map((c: { unit: { code: string } }) => [c.unit.code, c]),
    );
    expect(children[units.d1]).toMatchObject({
      officerCount: 6,
      complaintsReceived: 4,
      openCases: 2,
    });
    expect(children[units.d2]).toMatchObject({
      officerCount: 2,
      complaintsReceived: 1,
      openCases: 0,
    });
  });

  it("gives a region's children the same figures whether they are selected directly or through fragments", async () => {
    const analyst = await t.as("ANALYST");
    const [from, to] = YEAR;
    const children = async (selection: string) =>
      ok(
        await analyst.query(
          `query($from: Date!, $to: Date!) { trustMetrics(unitCode: "KZ-AST", from: $from, to: $to) { children { ${selection} } } }
           ${selection.includes("...Figures") ? "fragment Figures on TrustMetrics { medianDaysToClose byCategory { category allegations sustained } }" : ""}`,
          { from, to },
        ),
      ).trustMetrics.children;
    const plain = await children(
      "unit { code } medianDaysToClose byCategory { category allegations sustained }",
    );
    expect(
      plain.some((c: { byCategory: { allegations: number | null }[] }) =>
        c.byCategory.some((b) => b.allegations),
      ),
    ).toBe(true);
    expect(await children("unit { code } ...Figures")).toEqual(plain);
    expect(
      await children(
        "unit { code } ... on TrustMetrics { medianDaysToClose byCategory { category allegations sustained } }",
      ),
    ).toEqual(plain);
  });

  it("adds up the nation, counting a dismissed officer until the dismissal", async () => {
    const m = await metrics("ANALYST", "MVD", ...YEAR);
    expect(m).toMatchObject({
      officerCount: 10,
      complaintsReceived: 7,
      complaintsPer100Officers: 70,
      complaintsClosed: 3,
      allegationsWithFinding: 2,
      medianDaysToClose: 19,
      openCases: 4,
      overdueCases: 2,
      commendations: 2,
    });
    expect(categories(m.byCategory)).toEqual({
      FORCE: [2, 1],
      DISCOURTESY: [1, 0],
      DOMESTIC_VIOLENCE_HANDLING: [2, 0],
      OTHER: [1, 0],
      CORRUPTION: [1, 0],
    });
    expect(m.children).toHaveLength(20);
    const ala = m.children.find((c: { unit: { code: string } }) => c.unit.code === "KZ-ALA");
    expect(ala).toMatchObject({ officerCount: 2, complaintsReceived: 1, openCases: 1 });

    const year = Number(today().slice(0, 4));
    const now = await metrics("ANALYST", "MVD", `${year}-01-01`, `${year + 1}-01-01`);
    // o9 was dismissed today; nothing was received or closed this year; every open case is past its deadline by next year.
    expect(now).toMatchObject({
      officerCount: 9,
      complaintsReceived: 0,
      complaintsClosed: 0,
      openCases: 4,
      overdueCases: 4,
      medianDaysToClose: null,
      sustainRate: null,
    });
  });

  it("cuts periods at any day: a whole month, and days on both sides of whole months", async () => {
    expect(await metrics("ANALYST", units.d1, "2025-03-01", "2025-04-01")).toMatchObject({
      officerCount: 7,
      complaintsReceived: 1,
      complaintsClosed: 2,
      medianDaysToClose: 21,
      openCases: 0,
      overdueCases: 0,
    });
    expect(await metrics("ANALYST", units.d1, "2025-02-15", "2025-08-05")).toMatchObject({
      officerCount: 6,
      complaintsReceived: 2,
      complaintsClosed: 2,
      openCases: 1,
      overdueCases: 1,
    });
    // C1 was open on the morning of 03-05 and past its deadline of 03-03.
    expect(await metrics("ANALYST", units.d1, "2025-02-10", "2025-03-05")).toMatchObject({
      complaintsReceived: 2,
      openCases: 2,
      overdueCases: 1,
    });
    expect(await metrics("ANALYST", units.d1, "2025-02-11", "2025-02-12")).toMatchObject({
      complaintsReceived: 0,
      openCases: 1,
      overdueCases: 0,
    });
  });
});

describe("trustMetrics: small-cell suppression", () => {
  it("hides counts from 1 to 4 and rates resting on them from the public, and names each", async () => {
    const m = await metrics("PUBLIC", units.d1, ...YEAR);
    expect(m).toMatchObject({
      officerCount: 6,
      complaintsReceived: null,
      complaintsPer100Officers: null,
      complaintsClosed: null,
      allegationsWithFinding: null,
      sustainRate: null,
      medianDaysToClose: null,
      closedWithinDeadlineRate: null,
      openCases: null,
      overdueCases: null,
      commendations: null,
      commendationToComplaintRatio: null,
      satisfaction: { responses: null, averageRating: null },
    });
    expect(m.suppressedFields).toEqual(
      expect.arrayContaining([
        "complaintsReceived",
        "complaintsPer100Officers",
        "complaintsClosed",
        "allegationsWithFinding",
        "sustainRate",
        "medianDaysToClose",
        "closedWithinDeadlineRate",
        "openCases",
        "overdueCases",
        "commendations",
        "commendationToComplaintRatio",
        "satisfaction.responses",
        "satisfaction.averageRating",
        "byCategory.FORCE.allegations",
        "byCategory.FORCE.sustained",
        "byCategory.DISCOURTESY.allegations",
      ]),
    );
    expect(m.suppressedFields).not.toContain("officerCount");
    // Zero identifies no one: published as 0.
    expect(categories(m.byCategory)).toEqual({
      FORCE: [null, null],
      DISCOURTESY: [null, 0],
      DOMESTIC_VIOLENCE_HANDLING: [null, 0],
    });
    expect(m.byCategory.find((c: { category: string }) => c.category === "CORRUPTION")).toEqual({
      category: "CORRUPTION",
      allegations: 0,
      sustained: 0,
    });
  });

  it("shows what is not small, and suppresses children the same way", async () => {
    const m = await metrics("PUBLIC", "MVD", ...YEAR);
    expect(m).toMatchObject({
      officerCount: 10,
      complaintsReceived: 7,
      complaintsPer100Officers: 70,
      openCases: null,
      commendationToComplaintRatio: null,
    });
    expect(m.suppressedFields).not.toContain("complaintsReceived");
    // KZ-ALA's 2 officers and 1 complaint are small; KZ-AST's 8 and 6 would give them back as the
    // nation's less KZ-AST's (every other region has none), so they are hidden too.
    const ast = m.children.find((c: { unit: { code: string } }) => c.unit.code === "KZ-AST");
    expect(ast).toMatchObject({ officerCount: null, complaintsReceived: null, openCases: null });
    expect(ast.suppressedFields).toEqual(
      expect.arrayContaining(["officerCount", "complaintsReceived", "openCases"]),
    );
    const ala = m.children.find((c: { unit: { code: string } }) => c.unit.code === "KZ-ALA");
    expect(ala).toMatchObject({
      officerCount: null,
      complaintsReceived: null,
      suppressedFields: expect.arrayContaining(["officerCount", "complaintsReceived"]),
    });
    const empty = m.children.find((c: { unit: { code: string } }) => c.unit.code === "KZ-SHY");
    expect(empty).toMatchObject({
      officerCount: 0,
      complaintsReceived: 0,
      openCases: 0,
      suppressedFields: [],
    });
  });

  it("lists the same suppressed fields for children whatever else the query selects", async () => {
    const query = (fields: string) =>
      t.public.query(
        `{ trustMetrics(unitCode: "KZ-AST", from: "2025-01-01", to: "2026-01-01") { children { unit { code } ${fields} } } }`,
      );
    const lean = ok(await query("suppressedFields")).trustMetrics.children;
    const full = ok(
      await query(
        "suppressedFields medianDaysToClose byCategory { category allegations sustained }",
      ),
    ).trustMetrics.children;
    expect(lean.map((c: { suppressedFields: string[] }) => [...c.suppressedFields].sort())).toEqual(
      full.map((c: { suppressedFields: string[] }) => [...c.suppressedFields].sort()),
    );
    const d1 = full.find((c: { unit: { code: string } }) => c.unit.code === units.d1);
    expect(d1.suppressedFields).toEqual(
      expect.arrayContaining(["medianDaysToClose", "byCategory.FORCE.allegations"]),
    );
    const exact = ok(
      await (
        await t.as("ANALYST")
      ).query(
        `{ trustMetrics(unitCode: "KZ-AST", from: "2025-01-01", to: "2026-01-01") { children { unit { code } medianDaysToClose } } }`,
      ),
    );
    expect(
      exact.trustMetrics.children.find((c: { unit: { code: string } }) => c.unit.code === units.d1)
        .medianDaysToClose,
    ).toBe(21);
  });

  it("runs the contract's TrustMetrics as written, for the public and for an analyst", async () => {
    const variables = { scope: "MVD", from: "2025-01-01", to: "2026-01-01" };
    const published = ok(await t.public.op("TrustMetrics", variables)).trustMetrics;
    const exact = ok(await (await t.as("ANALYST")).op("TrustMetrics", variables)).trustMetrics;
    expect(published.unit).toEqual({ code: "MVD", name: expect.any(String) });
    expect(exact.suppressedFields).toEqual([]);
    expect(exact.overdueCases).toBe(2);
    expect(published.overdueCases).toBeNull();
    expect(exact.children).toHaveLength(20);
  });
});

describe("trustMetricsSeries", () => {
  it("gives one point per calendar quarter, clipped to the period", async () => {
    const analyst = await t.as("ANALYST");
    const points = ok(
      await analyst.op("TrustMetricsSeries", {
        scope: units.d1,
        from: "2025-02-15",
        to: "2025-12-31",
        interval: "QUARTER",
      }),
    ).trustMetricsSeries;
    expect(points.map((p: { from: string; to: string }) => [p.from, p.to])).toEqual([
      ["2025-02-15", "2025-04-01"],
      ["2025-04-01", "2025-07-01"],
      ["2025-07-01", "2025-10-01"],
      ["2025-10-01", "2025-12-31"],
    ]);
    expect(points.map((p: { complaintsReceived: number }) => p.complaintsReceived)).toEqual([
      1, 1, 0, 1,
    ]);
    expect(points[0]).toMatchObject({
      medianDaysToClose: 21,
      sustainRate: 0.5,
      suppressedFields: [],
    });
    expect(points[1].commendations).toBe(1);
  });

  it("is public in whole intervals, suppressed as trustMetrics is, and refuses the public a clipped point", async () => {
    const vars = { scope: "MVD", from: "2025-01-01", to: "2026-01-01", interval: "MONTH" };
    const exact = ok(
      await (await t.as("AUDITOR")).op("TrustMetricsSeries", vars),
    ).trustMetricsSeries;
    expect(exact).toHaveLength(12);
    expect(
      exact.reduce((n: number, p: { complaintsReceived: number }) => n + p.complaintsReceived, 0),
    ).toBe(7);
    for (const caller of [t.public, await t.as("HR")]) {
      const published = ok(await caller.op("TrustMetricsSeries", vars)).trustMetricsSeries;
      expect(published).toHaveLength(12);
      published.forEach((point: { complaintsReceived: number | null }, i: number) => {
        const count = exact[i].complaintsReceived;
        expect(point.complaintsReceived).toBe(count > 0 && count < 5 ? null : count);
      });
    }
    const quarters = { ...vars, interval: "QUARTER" };
    for (const [from, to, field] of [
      ["2025-02-01", "2026-01-01", "from"],
      ["2025-01-01", "2025-12-01", "to"],
      ["2025-01-15", "2026-01-01", "from"],
    ])
      expect(
        errorOf(await t.public.op("TrustMetricsSeries", { ...quarters, from, to })),
      ).toMatchObject({ code: "BAD_USER_INPUT", field });
    ok(await (await t.as("ANALYST")).op("TrustMetricsSeries", { ...quarters, from: "2025-02-01" }));
  });
});

describe("public periods: whole calendar months, quarters and years", () => {
  const ask = (caller: Caller, from: string, to: string, scope = "KZ-AST") =>
    caller.op("TrustMetrics", { scope, from, to });
  type Caller = TestServer["public"];
  const refusal = async (caller: Caller, from: string, to: string) =>
    errorOf(await ask(caller, from, to));

  it("refuses the public the overlapping periods that published one day's complaints by difference", async () => {
    // C4 was registered in KZ-AST on 2025-11-20: the two periods differ by exactly that day.
    const analyst = await t.as("ANALYST");
    const exact = async (to: string) =>
      ok(await ask(analyst, "2025-11-01", to)).trustMetrics.complaintsReceived;
    expect([await exact("2025-11-20"), await exact("2025-11-21")]).toEqual([0, 1]);

    for (const to of ["2025-11-20", "2025-11-21"]) {
      const reply = await ask(t.public, "2025-11-01", to);
      expect(errorOf(reply)).toMatchObject({ code: "BAD_USER_INPUT", field: "to" });
      expect(reply.errors![0].message).toMatch(/whole calendar month, quarter .* or year/);
    }
    expect(await refusal(t.public, "2025-11-20", "2025-11-21")).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "from",
    });
  });

  it("follows the contract's examples: a whole month is fine, a month from its 5th is not", async () => {
    ok(await ask(t.public, "2026-10-01", "2026-11-01", "MVD"));
    expect(await refusal(t.public, "2026-10-05", "2026-11-01")).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "from",
    });
  });

  it("accepts a calendar quarter and a calendar year, with the figures of the months in them", async () => {
    const quarter = ok(await ask(t.public, "2025-10-01", "2026-01-01")).trustMetrics;
    expect(quarter).toMatchObject({ from: "2025-10-01", to: "2026-01-01" });
    const year = ok(await ask(t.public, "2025-01-01", "2026-01-01")).trustMetrics;
    expect(year).toMatchObject({ from: "2025-01-01", to: "2026-01-01" });
    expect(ok(await ask(t.public, "2024-01-01", "2025-01-01")).trustMetrics.from).toBe(
      "2024-01-01",
    );
  });

  it.each([
    ["two months", "2025-01-01", "2025-03-01", "to"],
    ["a quarter not starting in January, April, July or October", "2026-02-01", "2026-05-01", "to"],
    ["a year not starting on 1 January", "2025-07-01", "2026-07-01", "to"],
    ["two years", "2024-01-01", "2026-01-01", "to"],
    ["a month from its last day", "2025-01-31", "2025-02-28", "from"],
  ])("refuses the public %s, naming the argument", async (_, from, to, field) => {
    expect(await refusal(t.public, from, to)).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("covers the last 10 calendar years for the public, and any year for exact readers", async () => {
    const current = new Date().getUTCFullYear();
    const year = (y: number) => [`${y}-01-01`, `${y + 1}-01-01`] as const;
    expect(await refusal(t.public, ...year(current - 10))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "from",
    });
    expect(await refusal(t.public, ...year(current + 1))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "to",
    });
    expect((await ask(t.public, ...year(current + 1))).errors![0].message).toContain(
      `${current - 9} to ${current}`,
    );
    ok(await ask(t.public, ...year(current - 9)));
    ok(await ask(await t.as("ANALYST"), ...year(current - 10)));
    expect(
      errorOf(
        await t.public.op("TrustMetricsSeries", {
          scope: "MVD",
          from: `${current - 10}-01-01`,
          to: `${current}-01-01`,
          interval: "YEAR",
        }),
      ),
    ).toMatchObject({ code: "BAD_USER_INPUT", field: "from" });
  });

  it("holds for every caller who gets suppressed figures (HR, ADMIN, INTAKE), and for none who gets exact ones", async () => {
    for (const caller of [await t.as("HR"), await t.as("ADMIN"), await t.newCaller("INTAKE")])
      expect(await refusal(caller, "2025-11-01", "2025-11-21")).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "to",
      });
    for (const role of ["ANALYST", "INVESTIGATOR", "SUPERVISOR", "AUDITOR"] as const) {
      const caller = await t.as(role);
      expect(ok(await ask(caller, "2025-11-01", "2025-11-21")).trustMetrics).toMatchObject({
        complaintsReceived: 1,
      });
      ok(await ask(caller, "2026-02-01", "2026-05-01"));
    }
  });
});

describe("bad periods", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["to before from", { unitCode: "MVD", from: "2025-02-01", to: "2025-01-01" }, "to"],
    ["an empty period", { unitCode: "MVD", from: "2025-02-01", to: "2025-02-01" }, "to"],
    ["over 10 years", { unitCode: "MVD", from: "2015-01-01", to: "2025-01-02" }, "to"],
    ["an unknown unit", { unitCode: "NOWHERE", from: "2025-01-01", to: "2025-02-01" }, "unitCode"],
  ];
  it.each(cases)("refuses %s with BAD_USER_INPUT naming the field", async (_, vars, field) => {
    const result = await t.public.query(
      `query($unitCode: String!, $from: Date!, $to: Date!) { trustMetrics(unitCode: $unitCode, from: $from, to: $to) { complaintsReceived } }`,
      vars,
    );
    expect(errorOf(result)).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("accepts exactly 10 years, and refuses a series of more than 120 points", async () => {
    const analyst = await t.as("ANALYST");
    ok(
      await analyst.query(
        `{ trustMetrics(unitCode: "MVD", from: "2015-01-01", to: "2025-01-01") { complaintsReceived } }`,
      ),
    );
    const series = (from: string, to: string) =>
      analyst.query(
        `query($from: Date!, $to: Date!) { trustMetricsSeries(unitCode: "MVD", from: $from, to: $to, interval: MONTH) { from } }`,
        { from, to },
      );
    expect(ok(await series("2015-01-01", "2025-01-01")).trustMetricsSeries).toHaveLength(120);
    // Ten years from mid-month: 119 whole months and two clipped ones.
    expect(errorOf(await series("2015-01-15", "2025-01-15"))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "interval",
    });
    expect(
      errorOf(
        await t.public.query(
          `{ trustMetrics(unitCode: "MVD", from: "2025-02-30", to: "2025-03-01") { complaintsReceived } }`,
        ),
      ).code,
    ).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
