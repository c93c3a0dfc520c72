import { randomUUID } from "node:crypto";
import type { Role } from "../src/db/schema";
import { openCase } from "./helpers/cases";
import { createDistrict, createOfficer } from "./helpers/factories";
import { moved, newOfficer, openReview, sustainedAllegation } from "./helpers/reviews";
import {
  errorOf,
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

type Who = Role | "PUBLIC";
const EVERYONE: Who[] = [
  "INVESTIGATOR",
  "SUPERVISOR",
  "HR",
  "ANALYST",
  "AUDITOR",
  "ADMIN",
  "PUBLIC",
];
const caller = async (who: Who): Promise<Caller> => (who === "PUBLIC" ? t.public : t.as(who));

/** An officer in a new district with a sustained allegation, a decided review and a verified commendation. */
let world: {
  district: string;
  badge: string;
  complaintId: string;
  allegationId: string;
  reviewId: string;
  secret: string;
};
beforeAll(async () => {
  const admin = await t.as("ADMIN");
  const district = await createDistrict(admin);
  const officer = await createOfficer(admin, { unitCode: district });
  const { complaintId, allegationId } = await sustainedAllegation(t, officer.badgeNumber);
  const review = await moved(
    t,
    await openReview(t, officer.badgeNumber, [allegationId], "Sustained use of force."),
    "decide",
  );
  const secret = `Rescued a child ${randomUUID()}`;
  ok(
    await (
      await t.as("SUPERVISOR")
    ).op("RecordCommendation", {
      input: {
        officerBadge: officer.badgeNumber,
        type: "LIFE_SAVING",
        occurredAt: new Date().toISOString(),
        narrative: secret,
      },
    }),
  );
  world = {
    district,
    badge: officer.badgeNumber,
    complaintId,
    allegationId,
    reviewId: review.id,
    secret,
  };
});

/** A cursor in the API's encoding, with contents it never issued. */
const encodeCursor = (key: unknown[]) =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
const outcome = (r: GraphQLResult) => (r.errors?.length ? r.errors[0].extensions.code : "OK");

describe("the contract's officer and standing operations, role by role", () => {
  const matrix: [string, () => Record<string, unknown>, Who[]][] = [
    [
      "OfficerProfile",
      () => ({ badgeNumber: world.badge }),
      ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"],
    ],
    [
      "UnitRoster",
      () => ({ unitCode: world.district, first: 10 }),
      ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"],
    ],
    [
      "EarlyWarnings",
      () => ({ unitCode: world.district, first: 10 }),
      ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR"],
    ],
    [
      "OfficerStanding",
      () => ({ badgeNumber: world.badge }),
      ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR"],
    ],
    [
      "UnitStandings",
      () => ({ unitCode: world.district }),
      ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR"],
    ],
    ["EarlyWarningRules", () => ({}), ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR", "ADMIN"]],
    ["CaseFile", () => ({ id: world.complaintId }), ["INVESTIGATOR", "SUPERVISOR"]],
    [
      "CaseQueue",
      () => ({ filter: { officerBadge: world.badge }, first: 5 }),
      ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"],
    ],
    // The contract's Commendations asks for the citizen's narrative: internal affairs only.
    [
      "Commendations",
      () => ({ filter: { unitCode: world.district }, first: 5 }),
      ["INVESTIGATOR", "SUPERVISOR"],
    ],
  ];
  const cases = matrix.flatMap(([op, vars, allowed]) =>
    EVERYONE.map(
      (who) =>
        [
          op,
          who,
          allowed.includes(who) ? "OK" : who === "PUBLIC" ? "UNAUTHENTICATED" : "FORBIDDEN",
          vars,
        ] as const,
    ),
  );
  it.each(cases)("%s as %s gives %s", async (op, who, expected, vars) => {
    const result = await (await caller(who)).op(op, vars());
    expect(outcome(result)).toBe(expected);
  });
});

describe("HR", () => {
  const officerQuery = (fields: string) =>
    `query($b: String!) { officer(badgeNumber: $b) { badgeNumber ${fields} } }`;

  it("sees officers, units, standing and sanctions in force", async () => {
    const hr = await t.as("HR");
    const officer = ok(
      await hr.query(
        officerQuery(
          "fullName rank status hiredAt unit { code name parent { code } } assignments { unit { code } from } standing { standing activeSanctions { penalty effectiveFrom effectiveUntil } }",
        ),
        { b: world.badge },
      ),
    ).officer;
    expect(officer).toMatchObject({
      badgeNumber: world.badge,
      unit: { code: world.district },
      standing: { standing: "SANCTIONED", activeSanctions: [{ penalty: "REPRIMAND" }] },
    });
    const roster = ok(
      await hr.query(
        `query($u: String!) { officers(filter: { unitCode: $u }) { totalCount edges { node { badgeNumber standing { standing } } } } }`,
        { u: world.district },
      ),
    );
    expect(roster.officers.totalCount).toBe(1);
    expect(ok(await hr.op("Units", {})).units.length).toBeGreaterThan(0);
    expect(
      ok(await hr.op("OfficerStanding", { badgeNumber: world.badge })).officerStanding,
    ).toMatchObject({ standing: "SANCTIONED", sustainedAllegations12m: 1 });
  });

  it.each([
    [
      "complaint",
      `query($id: ID!) { complaint(id: $id) { id } }`,
      () => ({ id: world.complaintId }),
    ],
    ["complaints", `{ complaints(first: 1) { totalCount } }`, () => ({})],
    [
      "Officer.allegations",
      officerQuery("allegations(first: 5) { totalCount edges { node { id category finding } } }"),
      () => ({ b: world.badge }),
    ],
    [
      "Officer.commendations",
      officerQuery("commendations(first: 5) { totalCount }"),
      () => ({ b: world.badge }),
    ],
    [
      "Officer.reviews",
      officerQuery("reviews { id decision { penalty rationale } }"),
      () => ({ b: world.badge }),
    ],
    [
      "disciplinaryReview",
      `query($id: ID!) { disciplinaryReview(id: $id) { id summary } }`,
      () => ({ id: world.reviewId }),
    ],
    [
      "commendations",
      `{ commendations(first: 5) { edges { node { id narrative } } } }`,
      () => ({}),
    ],
    ["auditTrail", `{ auditTrail(first: 1) { totalCount } }`, () => ({})],
  ])("is refused %s with FORBIDDEN, and nothing of it leaks", async (_what, query, vars) => {
    const result = await (await t.as("HR")).query(query, vars());
    expect(errorOf(result).code).toBe("FORBIDDEN");
    const leaked = JSON.stringify(result.data ?? null);
    for (const secret of [
      world.allegationId,
      world.complaintId,
      world.reviewId,
      world.secret,
      "FORCE",
      "SUSTAINED",
    ])
      expect(leaked).not.toContain(secret);
  });
});

describe("ANALYST, ADMIN and AUDITOR", () => {
  it("ANALYST sees no individual records", async () => {
    const analyst = await t.as("ANALYST");
    for (const op of [
      [`query($b: String!) { officer(badgeNumber: $b) { badgeNumber } }`, { b: world.badge }],
      [`{ officers(first: 1) { totalCount } }`, {}],
      [`query($b: String!) { officerStanding(badgeNumber: $b) { standing } }`, { b: world.badge }],
      [`{ officerStandings(first: 1) { totalCount } }`, {}],
      [`query($id: ID!) { complaint(id: $id) { id } }`, { id: world.complaintId }],
      [`query($id: ID!) { disciplinaryReview(id: $id) { id } }`, { id: world.reviewId }],
    ] as const) {
      expect(errorOf(await analyst.query(op[0], op[1])).code).toBe("FORBIDDEN");
    }
  });

  it("ADMIN manages officers but sees no complaint contents", async () => {
    const admin = await t.as("ADMIN");
    expect(
      ok(
        await admin.query(
          `query($b: String!) { officer(badgeNumber: $b) { badgeNumber status } }`,
          { b: world.badge },
        ),
      ).officer.badgeNumber,
    ).toBe(world.badge);
    expect(errorOf(await admin.op("CaseFile", { id: world.complaintId })).code).toBe("FORBIDDEN");
    expect(
      errorOf(
        await admin.query(
          `query($b: String!) { officer(badgeNumber: $b) { allegations(first: 1) { totalCount } } }`,
          { b: world.badge },
        ),
      ).code,
    ).toBe("FORBIDDEN");
  });

  it("AUDITOR reads everything except complainant data", async () => {
    const auditor = await t.as("AUDITOR");
    const file = ok(
      await auditor.query(
        `query($id: ID!) { complaint(id: $id) { id status allegations { id finding } reviews { id status } } }`,
        { id: world.complaintId },
      ),
    ).complaint;
    expect(file).toMatchObject({
      id: world.complaintId,
      allegations: [{ id: world.allegationId, finding: "SUSTAINED" }],
      reviews: [{ id: world.reviewId, status: "DECIDED" }],
    });
    for (const field of [
      "complainant { fullName }",
      "complainant { email }",
      "complainant { phone }",
      "narrative",
    ]) {
      expect(
        errorOf(
          await auditor.query(`query($id: ID!) { complaint(id: $id) { id ${field} } }`, {
            id: world.complaintId,
          }),
        ).code,
      ).toBe("FORBIDDEN");
    }
    const deep = await auditor.query(
      `query($b: String!) { officer(badgeNumber: $b) { allegations(first: 5) { edges { node { complaint { complainant { fullName } } } } } } }`,
      { b: world.badge },
    );
    expect(errorOf(deep).code).toBe("FORBIDDEN");
    expect(
      errorOf(
        await auditor.query(
          `query($b: String!) { officer(badgeNumber: $b) { commendations(first: 5) { edges { node { narrative } } } } }`,
          { b: world.badge },
        ),
      ).code,
    ).toBe("FORBIDDEN");
    const profile = ok(await auditor.op("OfficerProfile", { badgeNumber: world.badge })).officer;
    expect(profile).toMatchObject({
      allegations: { totalCount: 1 },
      commendations: { totalCount: 1 },
      reviews: [{ id: world.reviewId }],
      standing: { standing: "SANCTIONED" },
    });
  });
});

describe("Officer history pages", () => {
  it("pages an officer's allegations newest first with a steady totalCount", async () => {
    const officer = await newOfficer(t);
    const inv = await t.as("INVESTIGATOR");
    await openCase(t, {
      officers: [{ badgeNumber: officer.badgeNumber }],
      categories: ["FORCE", "DISCOURTESY", "CORRUPTION"],
    });
    const page = (after: string | null) =>
      inv.query(
        `query($b: String!, $after: String) { officer(badgeNumber: $b) { allegations(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { b: officer.badgeNumber, after },
      );
    const first = ok(await page(null)).officer.allegations;
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(first.edges).toHaveLength(2);
    const second = ok(await page(first.pageInfo.endCursor)).officer.allegations;
    expect(second).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
    expect(second.edges).toHaveLength(1);
    const ids = [...first.edges, ...second.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(ids).size).toBe(3);
    const past = ok(await page(second.pageInfo.endCursor)).officer.allegations;
    expect(past).toMatchObject({ totalCount: 3, edges: [], pageInfo: { hasNextPage: false } });
    expect(
      errorOf(
        await inv.query(
          `query($b: String!) { officer(badgeNumber: $b) { allegations(first: 101) { totalCount } } }`,
          { b: officer.badgeNumber },
        ),
      ).code,
    ).toBe("BAD_USER_INPUT");
    for (const forged of [
      encodeCursor(["yesterday", randomUUID()]),
      encodeCursor([new Date().toISOString(), "x"]),
      "garbage",
    ]) {
      expect(errorOf(await page(forged))).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    }
  });

  it("gives NOT_FOUND for an unknown badge", async () => {
    expect(
      errorOf(await (await t.as("HR")).op("OfficerStanding", { badgeNumber: "ZZ-999999" })).code,
    ).toBe("NOT_FOUND");
  });
});
