import { asFixture } from "./helpers/database";
import { randomBytes, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { rows } from "../src/db/client";
import { disciplinaryReviews, officers } from "../src/db/schema";
import { advanceTo, DAY, openCase, setDeadline, statementsDuring } from "./helpers/cases";
import { createDistrict, createOfficer } from "./helpers/factories";
import { daysFromToday, staffUnit } from "./helpers/officers";
import {
  complaintAgainst,
  moved,
  newOfficer,
  openReview,
  reviewIn,
  standingOf,
  sustainedAllegation,
} from "./helpers/reviews";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const changeStatus = async (badgeNumber: string, status: string) =>
  ok(
    await (
      await t.as("ADMIN")
    ).op("ChangeOfficerStatus", {
      input: { badgeNumber, status, reason: "Order of the department." },
    }),
  );
const setStatusInDb = (
  badgeNumber: string,
  status: "ACTIVE" | "SUSPENDED" | "DISMISSED" | "RETIRED" | "ON_LEAVE",
) =>
  asFixture(t.database.db, (tx) =>
    tx.update(officers).set({ status }).where(eq(officers.badgeNumber, badgeNumber)),
  );
const standing = async (badgeNumber: string) => (await standingOf(t, badgeNumber)).standing;
const commend = async (officerBadge: string, occurredAt: Date) =>
  ok(
    await (
      await t.as("SUPERVISOR")
    ).op("RecordCommendation", {
      input: {
        officerBadge,
        type: "LIFE_SAVING",
        occurredAt: occurredAt.toISOString(),
        narrative: "Pulled a driver from a burning car.",
      },
    }),
  );

describe("the ordered standing rules", () => {
  it("is GOOD with nothing against the officer, and says so", async () => {
    const officer = await newOfficer(t);
    const view = ok(
      await (await t.as("HR")).op("OfficerStanding", { badgeNumber: officer.badgeNumber }),
    ).officerStanding;
    expect(view).toMatchObject({
      standing: "GOOD",
      officer: {
        badgeNumber: officer.badgeNumber,
        fullName: officer.fullName,
        status: "ACTIVE",
        unit: { code: officer.unit.code },
      },
      activeSanctions: [],
      openInvestigations: 0,
      sustainedAllegations12m: 0,
      commendations12m: 0,
      earlyWarnings: [],
    });
    expect(Date.parse(view.asOf)).not.toBeNaN();
  });

  it("applies the rules in order, the first match winning, as each condition is added and then taken away", async () => {
    const officer = await newOfficer(t);
    const badge = officer.badgeNumber;
    const [first, second] = [
      await complaintAgainst(t, badge, ["FORCE"]),
      await complaintAgainst(t, badge, ["FORCE"]),
    ];
    expect(await standing(badge)).toBe("MONITORED");

    const sanction = (
      await reviewIn(t, "DECIDED", badge, {
        penalty: "REPRIMAND",
        effectiveFrom: daysFromToday(-10),
        effectiveUntil: daysFromToday(100),
      })
    ).review;
    expect(await standing(badge)).toBe("SANCTIONED");

    const pending = await openReview(t, badge);
    expect(await standing(badge)).toBe("UNDER_REVIEW");

    await changeStatus(badge, "SUSPENDED");
    expect(await standing(badge)).toBe("SUSPENDED");

    await changeStatus(badge, "DISMISSED");
    const separated = await standingOf(t, badge);
    // The explanation stays complete whatever rule decided.
    expect(separated).toMatchObject({
      standing: "SEPARATED",
      openInvestigations: 2,
      activeSanctions: [
        {
          penalty: "REPRIMAND",
          effectiveFrom: daysFromToday(-10),
          effectiveUntil: daysFromToday(100),
        },
      ],
      earlyWarnings: [{ rule: "FORCE_2_IN_180", count: 2, threshold: 2, windowDays: 180 }],
    });

    await setStatusInDb(badge, "SUSPENDED");
    expect(await standing(badge)).toBe("SUSPENDED");
    await setStatusInDb(badge, "ACTIVE");
    expect(await standing(badge)).toBe("UNDER_REVIEW");
    await moved(t, pending, "decide", { penalty: "NO_ACTION" });
    expect(await standing(badge)).toBe("SANCTIONED");
    await asFixture(t.database.db, (tx) =>
      tx
        .update(disciplinaryReviews)
        .set({ effectiveFrom: daysFromToday(-100), effectiveUntil: daysFromToday(-1) })
        .where(eq(disciplinaryReviews.id, sanction.id)),
    );
    expect(await standing(badge)).toBe("MONITORED");
    await advanceTo(t, first.id, "CLOSED");
    expect(await standing(badge)).toBe("MONITORED"); // whatever the outcome
    await setDeadline(t.database.db, second.id, { registeredAt: new Date(Date.now() - 181 * DAY) });
    expect(await standing(badge)).toBe("GOOD");
  });

  it.each(["DISMISSED", "RETIRED"])(
    "is SEPARATED for a %s officer, before any other rule",
    async (status) => {
      const { badgeNumber } = await reviewIn(t, "OPEN");
      await changeStatus(badgeNumber, status);
      expect(await standing(badgeNumber)).toBe("SEPARATED");
    },
  );

  it("ignores ON_LEAVE", async () => {
    const officer = await newOfficer(t);
    await changeStatus(officer.badgeNumber, "ON_LEAVE");
    expect(await standing(officer.badgeNumber)).toBe("GOOD");
  });

  it.each([
    ["OPEN", "UNDER_REVIEW"],
    ["HEARING_SCHEDULED", "UNDER_REVIEW"],
    ["APPEALED", "UNDER_REVIEW"],
    ["DECIDED", "SANCTIONED"],
    ["APPEAL_DECIDED", "SANCTIONED"],
    ["FINAL", "SANCTIONED"],
  ] as const)("a review that is %s makes the officer %s", async (status, expected) => {
    const { badgeNumber } = await reviewIn(t, status);
    expect(await standing(badgeNumber)).toBe(expected);
  });
});

describe("sanctions in force", () => {
  it.each([
    ["starts today", true, { effectiveFrom: daysFromToday(0), effectiveUntil: daysFromToday(30) }],
    [
      "starts tomorrow",
      false,
      { effectiveFrom: daysFromToday(1), effectiveUntil: daysFromToday(30) },
    ],
    [
      "ended yesterday",
      false,
      { effectiveFrom: daysFromToday(-30), effectiveUntil: daysFromToday(-1) },
    ],
    [
      "ends today (until is the first day it no longer applies)",
      false,
      { effectiveFrom: daysFromToday(-30), effectiveUntil: daysFromToday(0) },
    ],
    [
      "ends tomorrow",
      true,
      { effectiveFrom: daysFromToday(-30), effectiveUntil: daysFromToday(1) },
    ],
    ["is permanent", true, { effectiveFrom: daysFromToday(-3000), effectiveUntil: null }],
    [
      "is NO_ACTION",
      false,
      { penalty: "NO_ACTION", effectiveFrom: daysFromToday(-1), effectiveUntil: null },
    ],
  ] as const)("a sanction that %s is in force: %s", async (_what, inForce, window) => {
    const { badgeNumber } = await reviewIn(t, "DECIDED", undefined, {
      penalty: "SEVERE_REPRIMAND",
      ...window,
    });
    const view = await standingOf(t, badgeNumber);
    expect(view.standing).toBe(inForce ? "SANCTIONED" : "GOOD");
    expect(view.activeSanctions).toHaveLength(inForce ? 1 : 0);
    if (inForce)
      expect(view.activeSanctions[0]).toMatchObject({
        penalty: "SEVERE_REPRIMAND",
        effectiveFrom: window.effectiveFrom,
        effectiveUntil: window.effectiveUntil,
      });
  });

  it("is not in force once overturned, and lists only those in force", async () => {
    const officer = await newOfficer(t);
    const kept = (await reviewIn(t, "DECIDED", officer.badgeNumber, { penalty: "REMARK" })).review;
    const appealed = (
      await reviewIn(t, "APPEALED", officer.badgeNumber, {
        penalty: "DISMISSAL",
        effectiveUntil: null,
      })
    ).review;
    await moved(t, appealed, "decideAppeal", { outcome: "OVERTURNED" });
    const view = await standingOf(t, officer.badgeNumber);
    expect(view.standing).toBe("SANCTIONED");
    expect(view.activeSanctions.map((s) => s.penalty)).toEqual(["REMARK"]);
    expect(kept.status).toBe("DECIDED");
  });
});

describe("the explanation", () => {
  it("counts open investigations, sustained allegations and verified commendations of the last 12 months", async () => {
    const officer = await newOfficer(t);
    const badge = officer.badgeNumber;
    await sustainedAllegation(t, badge, "DISCOURTESY");
    const old = await sustainedAllegation(t, badge, "CORRUPTION");
    await setDeadline(t.database.db, old.complaintId, {
      registeredAt: new Date(Date.now() - 400 * DAY),
    });
    const closed = await complaintAgainst(t, badge, ["LACK_OF_SERVICE"]);
    await advanceTo(t, closed.id, "CLOSED");
    await commend(badge, new Date(Date.now() - 10 * DAY));
    await commend(badge, new Date(Date.now() - 400 * DAY));
    const submitted = await t.public.op("SubmitCommendation", {
      input: {
        idempotencyKey: randomUUID(),
        channel: "WEB_FORM",
        officer: { badgeNumber: badge },
        occurredAt: new Date(Date.now() - DAY).toISOString(),
        narrative: "Helped my child.",
        submitter: { fullName: "Dauren Abenov" },
      },
    });
    ok(submitted);
    expect(await standingOf(t, badge)).toMatchObject({
      openInvestigations: 2,
      sustainedAllegations12m: 1,
      commendations12m: 1,
    });
  });
});

describe("early-warning rules", () => {
  it("lists the default rules", async () => {
    const rules = ok(await (await t.as("SUPERVISOR")).op("EarlyWarningRules")).earlyWarningRules;
    expect(rules).toEqual(
      expect.arrayContaining([
        { code: "ANY_3_IN_365", categories: [], windowDays: 365, threshold: 3, active: true },
        {
          code: "FORCE_2_IN_180",
          categories: ["FORCE"],
          windowDays: 180,
          threshold: 2,
          active: true,
        },
      ]),
    );
  });

  it("ANY_3_IN_365 counts allegations of any category and any outcome registered in the last 365 days", async () => {
    const officer = await newOfficer(t);
    const badge = officer.badgeNumber;
    const complaint = await complaintAgainst(t, badge, ["DISCOURTESY", "OFFENSIVE_LANGUAGE"]);
    expect(await standing(badge)).toBe("GOOD");
    const third = await complaintAgainst(t, badge, ["LACK_OF_SERVICE"], 360);
    await advanceTo(t, complaint.id, "CLOSED"); // NOT_SUSTAINED: still counted
    expect(await standingOf(t, badge)).toMatchObject({
      standing: "MONITORED",
      earlyWarnings: [{ rule: "ANY_3_IN_365", count: 3, threshold: 3, windowDays: 365 }],
    });
    await setDeadline(t.database.db, third.id, { registeredAt: new Date(Date.now() - 366 * DAY) });
    expect(await standingOf(t, badge)).toMatchObject({ standing: "GOOD", earlyWarnings: [] });
  });

  it("counts an allegation by its complaint's registration, when added later and when the registration is corrected", async () => {
    const badge = (await newOfficer(t)).badgeNumber;
    const old = await complaintAgainst(t, badge, ["FORCE"], 400);
    // Added today to a complaint registered 400 days ago: outside every window, like the first.
    ok(
      await (
        await t.as("INVESTIGATOR")
      ).op("AddAllegation", {
        input: { complaintId: old.id, category: "FORCE", officerBadge: badge },
      }),
    );
    await complaintAgainst(t, badge, ["FORCE"]);
    expect(await standingOf(t, badge)).toMatchObject({ standing: "GOOD", earlyWarnings: [] });
    await setDeadline(t.database.db, old.id, { registeredAt: new Date(Date.now() - 10 * DAY) });
    expect(await standingOf(t, badge)).toMatchObject({
      standing: "MONITORED",
      earlyWarnings: [
        { rule: "ANY_3_IN_365", count: 3 },
        { rule: "FORCE_2_IN_180", count: 3 },
      ],
    });
    // Every allegation keeps its complaint's registration, which the windows read.
    const [{ n }] = await rows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id
          where a.complaint_registered_at is distinct from c.registered_at`,
    );
    expect(n).toBe(0);
  });

  it("FORCE_2_IN_180 counts only FORCE allegations in the last 180 days", async () => {
    const officer = await newOfficer(t);
    const badge = officer.badgeNumber;
    await complaintAgainst(t, badge, ["FORCE", "DISCOURTESY"]);
    expect(await standing(badge)).toBe("GOOD");
    await complaintAgainst(t, badge, ["FORCE"], 179);
    const view = await standingOf(t, badge);
    expect(view.standing).toBe("MONITORED");
    expect(view.earlyWarnings).toEqual([
      { rule: "ANY_3_IN_365", count: 3, threshold: 3, windowDays: 365 },
      { rule: "FORCE_2_IN_180", count: 2, threshold: 2, windowDays: 180 },
    ]);

    const other = (await newOfficer(t)).badgeNumber;
    await complaintAgainst(t, other, ["FORCE"]);
    await complaintAgainst(t, other, ["FORCE"], 181);
    expect(await standingOf(t, other)).toMatchObject({ standing: "GOOD", earlyWarnings: [] });
  });

  describe("changed at run time", () => {
    const code = `T_DISC_${randomBytes(4).toString("hex").toUpperCase()}`;
    const setRule = async (rule: Record<string, unknown>) =>
      ok(
        await (
          await t.as("SUPERVISOR")
        ).op("SetEarlyWarningRule", {
          input: {
            code,
            categories: ["DISCRIMINATION"],
            windowDays: 30,
            threshold: 1,
            active: true,
            ...rule,
          },
        }),
      ).setEarlyWarningRule.rule;
    afterAll(() => setRule({ active: false }));

    it("applies a new or changed rule from the next request on", async () => {
      const badge = (await newOfficer(t)).badgeNumber;
      const complaint = await complaintAgainst(t, badge, ["DISCRIMINATION"], 20);
      expect(await standing(badge)).toBe("GOOD");

      expect(await setRule({})).toEqual({
        code,
        categories: ["DISCRIMINATION"],
        windowDays: 30,
        threshold: 1,
        active: true,
      });
      expect(await standingOf(t, badge)).toMatchObject({
        standing: "MONITORED",
        earlyWarnings: [{ rule: code, count: 1, threshold: 1, windowDays: 30 }],
      });
      expect(ok(await (await t.as("HR")).op("EarlyWarningRules")).earlyWarningRules).toContainEqual(
        { code, categories: ["DISCRIMINATION"], windowDays: 30, threshold: 1, active: true },
      );

      await setRule({ threshold: 2 });
      expect(await standing(badge)).toBe("GOOD");
      await setRule({ windowDays: 10 });
      expect(await standing(badge)).toBe("GOOD");
      await setRule({ categories: ["MINORS_RIGHTS"] });
      expect(await standing(badge)).toBe("GOOD");
      await setRule({});
      expect(await standing(badge)).toBe("MONITORED");
      await setRule({ active: false });
      expect(await standing(badge)).toBe("GOOD");
      await setRule({ categories: [] }); // empty = every category
      expect(await standing(badge)).toBe("MONITORED");

      // A sanction still outranks a rule that fires.
      await reviewIn(t, "DECIDED", badge);
      expect(await standing(badge)).toBe("SANCTIONED");
      expect(complaint.allegationIds).toHaveLength(1);
    });

    it("validates rules and lets only SUPERVISOR change them", async () => {
      const sup = await t.as("SUPERVISOR");
      const input = {
        code,
        categories: ["DISCRIMINATION"],
        windowDays: 30,
        threshold: 1,
        active: false,
      };
      for (const [bad, field] of [
        [{ code: "lower" }, "input.code"],
        [{ windowDays: 0 }, "input.windowDays"],
        [{ windowDays: 3651 }, "input.windowDays"],
        [{ threshold: 0 }, "input.threshold"],
        [{ categories: ["FORCE", "FORCE"] }, "input.categories"],
      ] as const) {
        expect(
          errorOf(await sup.op("SetEarlyWarningRule", { input: { ...input, ...bad } })),
        ).toEqual({ code: "BAD_USER_INPUT", field });
      }
      for (const role of ["INVESTIGATOR", "HR", "ANALYST", "AUDITOR", "ADMIN"] as const) {
        expect(errorOf(await (await t.as(role)).op("SetEarlyWarningRule", { input })).code).toBe(
          "FORBIDDEN",
        );
      }
      expect(errorOf(await t.public.op("SetEarlyWarningRule", { input })).code).toBe(
        "UNAUTHENTICATED",
      );
    });
  });
});

describe("officerStandings", () => {
  it("covers the unit's whole subtree, serving officers only", async () => {
    const admin = await t.as("ADMIN");
    const region = await createDistrict(admin, "MVD");
    const [d1, d2] = [await createDistrict(admin, region), await createDistrict(admin, region)];
    const a = await createOfficer(admin, { unitCode: d1 });
    const b = await createOfficer(admin, { unitCode: d2 });
    const moving = await createOfficer(admin, { unitCode: d1 });
    ok(
      await admin.op("TransferOfficer", {
        input: {
          badgeNumber: moving.badgeNumber,
          unitCode: "KZ-ALA",
          effectiveFrom: daysFromToday(0),
        },
      }),
    );
    const hr = await t.as("HR");
    const badges = async (unitCode: string) =>
      ok(await hr.op("UnitStandings", { unitCode, first: 100 })).officerStandings.edges.map(
        (e: { node: { officer: { badgeNumber: string } } }) => e.node.officer.badgeNumber,
      );
    expect(await badges(region)).toEqual([a.badgeNumber, b.badgeNumber].sort());
    expect(await badges(d1)).toEqual([a.badgeNumber]);
  });

  it("filters by standing and pages exactly through the filtered list", async () => {
    const admin = await t.as("ADMIN");
    const district = await createDistrict(admin);
    const all = await staffUnit(admin, district, 12);
    const underReview = all.filter((_, i) => i % 2 === 1).slice(0, 5);
    for (const badge of underReview) await openReview(t, badge);
    const hr = await t.as("HR");

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages++) {
      const page: any = ok(
        await hr.op("UnitStandings", {
          unitCode: district,
          standing: "UNDER_REVIEW",
          first: 2,
          after,
        }),
      ).officerStandings;
      expect(page.totalCount).toBe(5);
      expect(page.edges.length).toBeLessThanOrEqual(2);
      for (const e of page.edges) expect(e.node.standing).toBe("UNDER_REVIEW");
      seen.push(...page.edges.map((e: any) => e.node.officer.badgeNumber));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(3);
    }
    expect(seen).toEqual(underReview);

    const good = ok(
      await hr.op("UnitStandings", { unitCode: district, standing: "GOOD", first: 100 }),
    ).officerStandings;
    expect(good.totalCount).toBe(7);
    expect(good.edges.map((e: any) => e.node.officer.badgeNumber)).toEqual(
      all.filter((b) => !underReview.includes(b)),
    );
    expect(
      ok(await hr.op("UnitStandings", { unitCode: district, standing: "SANCTIONED" }))
        .officerStandings,
    ).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false } });
    expect(
      ok(await hr.op("UnitStandings", { unitCode: district })).officerStandings.totalCount,
    ).toBe(12);
  });

  it("gives BAD_USER_INPUT for an unknown unit or a page over 100", async () => {
    const hr = await t.as("HR");
    expect(errorOf(await hr.op("UnitStandings", { unitCode: "NO-SUCH-UNIT" })).code).toBe(
      "BAD_USER_INPUT",
    );
    expect(errorOf(await hr.op("UnitStandings", { unitCode: "KZ-AST", first: 101 })).code).toBe(
      "BAD_USER_INPUT",
    );
    expect(
      errorOf(await hr.op("UnitStandings", { unitCode: "KZ-AST", after: "garbage" })).code,
    ).toBe("BAD_USER_INPUT");
  });

  it("lists monitored officers with their fired rules (EarlyWarnings)", async () => {
    const admin = await t.as("ADMIN");
    const region = await createDistrict(admin, "MVD");
    const district = await createDistrict(admin, region);
    const watched = await createOfficer(admin, { unitCode: district });
    await createOfficer(admin, { unitCode: district });
    await complaintAgainst(t, watched.badgeNumber, ["FORCE"]);
    await complaintAgainst(t, watched.badgeNumber, ["FORCE"]);
    const list = ok(
      await (await t.as("SUPERVISOR")).op("EarlyWarnings", { unitCode: region, first: 10 }),
    ).officerStandings;
    expect(list).toEqual({
      totalCount: 1,
      edges: [
        {
          node: {
            officer: { badgeNumber: watched.badgeNumber, fullName: watched.fullName },
            earlyWarnings: [{ rule: "FORCE_2_IN_180", count: 2, threshold: 2, windowDays: 180 }],
          },
        },
      ],
    });
  });
});

describe("SQL statements do not grow with the page", () => {
  /** A new district of `n` officers, each named in three allegations (MONITORED) and with a verified commendation; one SANCTIONED. */
  async function busyDistrict(n: number) {
    const admin = await t.as("ADMIN");
    const district = await createDistrict(admin);
    const badges = await staffUnit(admin, district, n);
    for (let i = 0; i < n; i += 10) {
      const named = badges.slice(i, i + 10).map((badgeNumber) => ({ badgeNumber }));
      await openCase(t, {
        officers: named,
        categories: ["FORCE", "DISCOURTESY", "OFFENSIVE_LANGUAGE"],
        unitCode: district,
      });
    }
    await Promise.all(badges.map((b) => commend(b, new Date(Date.now() - 5 * DAY))));
    await reviewIn(t, "DECIDED", badges[1]);
    return district;
  }

  it("UnitRoster and officerStandings cost the same for 5 and for 40 officers", async () => {
    const [small, large] = [await busyDistrict(5), await busyDistrict(40)];
    const inv = await t.as("INVESTIGATOR");
    const hr = await t.as("HR");
    const roster = async (unitCode: string, n: number) => {
      const { result, statements, texts } = await statementsDuring(t, () =>
        inv.op("UnitRoster", { unitCode, first: 50 }),
      );
      const data = ok(result).officers;
      expect(data.edges).toHaveLength(n);
      for (const e of data.edges) {
        expect(e.node.allegations).toMatchObject({ totalCount: 3, edges: [{}, {}, {}] });
        expect(e.node.commendations.totalCount).toBe(1);
      }
      return { statements, texts };
    };
    const standings = async (unitCode: string, n: number, first = 50) => {
      const { result, statements, texts } = await statementsDuring(t, () =>
        hr.op("UnitStandings", { unitCode, first }),
      );
      expect(ok(result).officerStandings.edges).toHaveLength(Math.min(n, first));
      return { statements, texts };
    };
    // The same statements, and the same texts (one prepared statement each), for any page.
    const [rosterSmall, rosterLarge] = [await roster(small, 5), await roster(large, 40)];
    expect(rosterLarge).toEqual(rosterSmall);
    const [standingsSmall, standingsLarge] = [
      await standings(small, 5),
      await standings(large, 40),
    ];
    expect(standingsLarge).toEqual(standingsSmall);
    expect(await standings(large, 40, 3)).toEqual(standingsLarge);
    const warnings = (unitCode: string) =>
      statementsDuring(t, () => hr.op("EarlyWarnings", { unitCode, first: 50 }));
    const [monitoredSmall, monitored] = [await warnings(small), await warnings(large)];
    expect(ok(monitored.result).officerStandings.totalCount).toBe(39); // one of them is SANCTIONED
    expect(monitored.statements).toBe(monitoredSmall.statements);
  });
});

describe("officerStanding's officer", () => {
  it("is the officer found by badge, not read again by id", async () => {
    const officer = await newOfficer(t);
    const hr = await t.as("HR");
    const send = (selection: string) =>
      statementsDuring(t, () =>
        hr.query(`query($b: String!) { officerStanding(badgeNumber: $b) { ${selection} } }`, {
          b: officer.badgeNumber,
        }),
      );
    const alone = await send("standing");
    const named = await send("standing officer { id badgeNumber fullName status }");
    expect(ok(named.result).officerStanding.officer).toMatchObject({
      badgeNumber: officer.badgeNumber,
      status: "ACTIVE",
    });
    expect(named.statements).toBe(alone.statements);
    // The officer's unit comes from assignments read in the standing's own statement.
    const withUnit = await send("standing officer { unit { code } assignments { from } }");
    expect(ok(withUnit.result).officerStanding.officer.unit.code).toEqual(expect.any(String));
    expect(withUnit.statements).toBe(alone.statements);
  });
});

describe("a standing's parts", () => {
  it("come in the standing's own statement, however many are selected, through a fragment too", async () => {
    const officer = await newOfficer(t);
    await complaintAgainst(t, officer.badgeNumber, ["FORCE"]);
    await complaintAgainst(t, officer.badgeNumber, ["FORCE"]);
    const hr = await t.as("HR");
    const inv = await t.as("INVESTIGATOR");
    const parts =
      "activeSanctions { penalty } openInvestigations sustainedAllegations12m commendations12m earlyWarnings { rule count }";
    const send = (caller: typeof hr, query: string) =>
      statementsDuring(t, () => caller.query(query, { b: officer.badgeNumber }));
    const alone = await send(
      hr,
      `query($b: String!) { officerStanding(badgeNumber: $b) { standing } }`,
    );
    const all = await send(
      hr,
      `query($b: String!) { officerStanding(badgeNumber: $b) { standing ...Parts } } fragment Parts on OfficerStanding { ${parts} }`,
    );
    expect(ok(all.result).officerStanding).toMatchObject({
      standing: "MONITORED",
      openInvestigations: 2,
      earlyWarnings: [{ rule: "FORCE_2_IN_180", count: 2 }],
    });
    expect(all.statements).toBe(alone.statements);
    const onOfficer = (selection: string) =>
      send(inv, `query($b: String!) { officer(badgeNumber: $b) { standing { ${selection} } } }`);
    const [bare, explained] = [
      await onOfficer("standing"),
      await onOfficer("standing earlyWarnings { rule count }"),
    ];
    expect(ok(explained.result).officer.standing.earlyWarnings).toEqual([
      { rule: "FORCE_2_IN_180", count: 2 },
    ]);
    expect(explained.statements).toBe(bare.statements);
  });
});
