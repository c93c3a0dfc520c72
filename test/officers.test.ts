import {
  errorOf,
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";
import { eq } from "drizzle-orm";
import { officerAssignments, units } from "../src/db/schema";
import { createDistrict, createOfficer, officerInput, unique } from "./helpers/factories";
import { openCase, statementsDuring } from "./helpers/cases";
import {
  assignmentRows,
  auditRecordsAbout,
  auditRecordsBy,
  daysFromToday,
  officerRows,
  officersPage,
  rawAuditRows,
  readOfficer,
  rosterRow,
  staffUnit,
  statusChangeRows,
} from "./helpers/officers";

let t: TestServer;
let admin: Caller;
beforeAll(async () => {
  t = await startTestServer();
  admin = await t.as("ADMIN");
});
afterAll(() => t.close());

/** The request failed with this code and field, and no error repeats what the caller sent. */
function expectRefusal(
  result: GraphQLResult,
  expected: { code: string; field?: string },
  sent?: string,
) {
  expect(errorOf(result)).toEqual(expected);
  if (sent !== undefined) expect(JSON.stringify(result.errors)).not.toContain(sent);
}

const transfer = (input: Record<string, unknown>) => admin.op("TransferOfficer", { input });
const changeStatus = (
  badgeNumber: string,
  status: string,
  reason = "Order No. 17 of the department head",
) => admin.op("ChangeOfficerStatus", { input: { badgeNumber, status, reason } });

describe("createOfficer", () => {
  it("creates an officer serving in a district from their hiring date", async () => {
    const district = await createDistrict(admin);
    const input = officerInput({
      unitCode: district,
      fullName: "Aigerim Sadykova",
      rank: "CAPTAIN",
      hiredAt: "2019-08-01",
    });

    const { createOfficer: created } = ok(await admin.op("CreateOfficer", { input }));

    expect(created.officer).toEqual({
      id: expect.any(String),
      badgeNumber: input.badgeNumber,
      fullName: "Aigerim Sadykova",
      rank: "CAPTAIN",
      status: "ACTIVE",
      unit: { code: district },
    });
    expect(await officerRows(t.database.db, [input.badgeNumber])).toEqual([
      expect.objectContaining({
        id: created.officer.id,
        fullName: "Aigerim Sadykova",
        rank: "CAPTAIN",
        status: "ACTIVE",
        hiredAt: "2019-08-01",
      }),
    ]);
    expect(await readOfficer(admin, input.badgeNumber)).toMatchObject({
      hiredAt: "2019-08-01",
      unit: { code: district },
      assignments: [{ unit: { code: district }, from: "2019-08-01", to: null }],
    });
  });

  it.each([
    ["an unknown rank", { rank: "GENERALISSIMO" }, "input.rank", "GENERALISSIMO"],
    ["a malformed rank", { rank: "captain; drop" }, "input.rank", "captain"],
    ["an unknown unit", { unitCode: "KZ-NOWHERE-42" }, "input.unitCode", "KZ-NOWHERE-42"],
    [
      "a date that is not on the calendar",
      { hiredAt: "2019-13-45" },
      "input.hiredAt",
      "2019-13-45",
    ],
    ["a date in words", { hiredAt: "yesterday" }, "input.hiredAt", "yesterday"],
    [
      "a hiring date in the future",
      { hiredAt: daysFromToday(1) },
      "input.hiredAt",
      daysFromToday(1),
    ],
    ["a hiring date before 1950", { hiredAt: "1949-12-31" }, "input.hiredAt", "1949-12-31"],
    [
      "a name over 200 characters",
      { fullName: "Serikbayev".repeat(21) },
      "input.fullName",
      "SerikbayevSerikbayev",
    ],
    ["a one-letter name", { fullName: "Q" }, "input.fullName", undefined],
    [
      "a name with a NUL byte",
      { fullName: "Yerlan\u0000Zhaksybekov" },
      "input.fullName",
      "Zhaksybekov",
    ],
    [
      "a name with a trailing space",
      { fullName: "Yerlan Zhaksybekov " },
      "input.fullName",
      "Zhaksybekov",
    ],
    [
      "a badge number in lower case",
      { badgeNumber: unique("b").toLowerCase() },
      "input.badgeNumber",
      undefined,
    ],
    [
      "a badge number over 32 characters",
      { badgeNumber: unique("B".repeat(30)) },
      "input.badgeNumber",
      "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
    ],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_what, overrides, field, sent) => {
    const input = officerInput(overrides);
    const result = await admin.op("CreateOfficer", { input });
    expectRefusal(result, { code: "BAD_USER_INPUT", field }, sent ?? input.badgeNumber);
    expect(await officerRows(t.database.db, [input.badgeNumber])).toEqual([]);
  });

  it("refuses a badge number that is already taken and leaves the first officer as they were", async () => {
    const first = await createOfficer(admin, { fullName: "Nurlan Bekov" });
    const result = await admin.op("CreateOfficer", {
      input: officerInput({ badgeNumber: first.badgeNumber, fullName: "Marat Ospanov" }),
    });
    expectRefusal(
      result,
      { code: "BAD_USER_INPUT", field: "input.badgeNumber" },
      first.badgeNumber,
    );
    expect(await officerRows(t.database.db, [first.badgeNumber])).toEqual([
      expect.objectContaining({ id: first.id, fullName: "Nurlan Bekov" }),
    ]);
  });

  it("creates one officer when two clerks send the same badge number at once", async () => {
    const input = officerInput();
    const results = await Promise.all([1, 2, 3].map(() => admin.op("CreateOfficer", { input })));

    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(errorOf)).toEqual([
      { code: "BAD_USER_INPUT", field: "input.badgeNumber" },
      { code: "BAD_USER_INPUT", field: "input.badgeNumber" },
    ]);
    expect(await officerRows(t.database.db, [input.badgeNumber])).toHaveLength(1);
  });

  it("lets only administrators create officers, and audits the refused attempts", async () => {
    const investigator = await t.newCaller("INVESTIGATOR");
    const input = officerInput();
    expect(errorOf(await investigator.op("CreateOfficer", { input }))).toEqual({
      code: "FORBIDDEN",
    });
    expect(errorOf(await t.public.op("CreateOfficer", { input }))).toEqual({
      code: "UNAUTHENTICATED",
    });
    expect(await officerRows(t.database.db, [input.badgeNumber])).toEqual([]);
    expect(await auditRecordsBy(t.database.db, investigator.principalId)).toEqual([
      expect.objectContaining({ action: "createOfficer", outcome: "DENIED", entityId: null }),
    ]);
  });
});

describe("officer and officers", () => {
  it("shows officers to staff but not to analysts, who see no individual records", async () => {
    const officer = await createOfficer(admin);
    expect((await readOfficer(await t.as("HR"), officer.badgeNumber)).id).toBe(officer.id);
    expect((await readOfficer(await t.as("INVESTIGATOR"), officer.badgeNumber)).id).toBe(
      officer.id,
    );
    const analyst = await t.as("ANALYST");
    expect(
      errorOf(
        await analyst.query(`query($b: String!) { officer(badgeNumber: $b) { id } }`, {
          b: officer.badgeNumber,
        }),
      ),
    ).toEqual({ code: "FORBIDDEN" });
    expect(errorOf(await analyst.query(`{ officers { totalCount } }`))).toEqual({
      code: "FORBIDDEN",
    });
  });

  it("gives NOT_FOUND for a badge number nobody holds, however it is written", async () => {
    const query = `query($b: String!) { officer(badgeNumber: $b) { id } }`;
    for (const b of [unique("NOBODY"), "ast-004211", "", "X".repeat(500)]) {
      expect(errorOf(await admin.query(query, { b }))).toEqual({ code: "NOT_FOUND" });
    }
  });

  it("refuses a badge number holding a NUL byte as bad input, not as a server fault", async () => {
    const result = await admin.query(`query($b: String!) { officer(badgeNumber: $b) { id } }`, {
      b: "AST\u0000SECRET",
    });
    expectRefusal(result, { code: "BAD_USER_INPUT", field: "badgeNumber" }, "SECRET");
  });

  it("pages through a unit's officers in badge order, without overlaps or gaps", async () => {
    const district = await createDistrict(admin);
    const badges = await staffUnit(admin, district, 7);

    const pages: string[][] = [];
    let after: string | null = null;
    do {
      const page = await officersPage(admin, { filter: { unitCode: district }, first: 3, after });
      expect(page.totalCount).toBe(7);
      pages.push(page.badges);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);

    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(badges);
  });

  it("returns 20 officers by default and up to 100 on request", async () => {
    const district = await createDistrict(admin);
    const badges = await staffUnit(admin, district, 101);

    const byDefault = await officersPage(admin, { filter: { unitCode: district } });
    expect(byDefault).toMatchObject({
      badges: badges.slice(0, 20),
      totalCount: 101,
      hasNextPage: true,
    });

    const hundred = await officersPage(admin, { filter: { unitCode: district }, first: 100 });
    expect(hundred).toMatchObject({ badges: badges.slice(0, 100), hasNextPage: true });
    const last = await officersPage(admin, {
      filter: { unitCode: district },
      first: 100,
      after: hundred.endCursor,
    });
    expect(last).toMatchObject({ badges: [badges[100]], totalCount: 101, hasNextPage: false });
  });

  const PAGE = `query($first: Int, $after: String) { officers(first: $first, after: $after) { totalCount } }`;
  const cursorOf = (text: string) => Buffer.from(text).toString("base64url");

  it.each([
    ["no officers at all", { first: 0 }, "first", undefined],
    ["more than 100 officers", { first: 101 }, "first", "101"],
    ["a negative page size", { first: -5 }, "first", "-5"],
    ["after a cursor that is not base64 JSON", { after: "not-a-cursor" }, "after", "not-a-cursor"],
    [
      "after a cursor holding an object",
      { after: cursorOf('{"badge":"ZZ-SECRET"}') },
      "after",
      "SECRET",
    ],
    ["after a cursor holding a number", { after: cursorOf("[424242]") }, "after", "424242"],
  ])("refuses a page of %s with BAD_USER_INPUT", async (_what, variables, field, sent) => {
    expectRefusal(await admin.query(PAGE, variables), { code: "BAD_USER_INPUT", field }, sent);
  });

  it("lists everyone serving anywhere below a unit when filtered by it", async () => {
    // The regions are fixed (other files count them), so this test marks its officers by surname.
    const surname = unique("Kin").replace("-", "");
    const district = await createDistrict(admin, "KZ-AST");
    const atRegionalHq = await createOfficer(admin, {
      unitCode: "KZ-AST",
      fullName: `Arman ${surname}`,
    });
    const inDistrict = await createOfficer(admin, {
      unitCode: district,
      fullName: `Bolat ${surname}`,
    });
    const elsewhere = await createOfficer(admin, {
      unitCode: "KZ-KAR",
      fullName: `Daulet ${surname}`,
    });
    const serving = async (unitCode: string) =>
      (await officersPage(admin, { filter: { unitCode, search: surname } })).badges;

    expect(await serving("KZ-AST")).toEqual(
      [atRegionalHq.badgeNumber, inDistrict.badgeNumber].sort(),
    );
    expect(await serving(district)).toEqual([inDistrict.badgeNumber]);
    expect(await serving("MVD")).toEqual(
      [atRegionalHq.badgeNumber, inDistrict.badgeNumber, elsewhere.badgeNumber].sort(),
    );
  });

  it("filters by status, rank, and text in the name or badge number", async () => {
    const district = await createDistrict(admin);
    const captain = await createOfficer(admin, {
      unitCode: district,
      rank: "CAPTAIN",
      fullName: "Aigerim Sadykova",
    });
    const sergeant = await createOfficer(admin, {
      unitCode: district,
      rank: "SERGEANT",
      fullName: "Nurlan Bekov",
    });
    const suspended = await createOfficer(admin, {
      unitCode: district,
      rank: "SERGEANT",
      fullName: "Dana Omarova",
    });
    ok(await changeStatus(suspended.badgeNumber, "SUSPENDED"));
    const badges = async (filter: Record<string, unknown>) =>
      (await officersPage(admin, { filter: { unitCode: district, ...filter } })).badges;

    expect(await badges({ status: ["SUSPENDED"] })).toEqual([suspended.badgeNumber]);
    expect(await badges({ status: ["ACTIVE"] })).toEqual(
      [captain.badgeNumber, sergeant.badgeNumber].sort(),
    );
    expect(await badges({ rank: "SERGEANT" })).toEqual(
      [sergeant.badgeNumber, suspended.badgeNumber].sort(),
    );
    expect(await badges({ rank: "SERGEANT", status: ["ACTIVE"] })).toEqual([sergeant.badgeNumber]);
    expect(await badges({ search: "sadyk" })).toEqual([captain.badgeNumber]);
    expect(await badges({ search: sergeant.badgeNumber.slice(2).toLowerCase() })).toEqual([
      sergeant.badgeNumber,
    ]);
    expect(await badges({ search: "%" })).toEqual([]);
    expect(await badges({ search: "_" })).toEqual([]);
  });

  it.each([
    ["an unknown unit", { unitCode: "KZ-NOWHERE-42" }, "filter.unitCode", "KZ-NOWHERE-42"],
    ["a malformed unit code", { unitCode: "kz ast" }, "filter.unitCode", "kz ast"],
    ["a malformed rank", { rank: "captain" }, "filter.rank", "captain"],
    ["a search over 100 characters", { search: "Q".repeat(101) }, "filter.search", "QQQQQQQQ"],
    ["a search with a NUL byte", { search: "Bek\u0000ov" }, "filter.search", "Bek"],
    ["a status that does not exist", { status: ["FIRED"] }, "filter.status.0", "FIRED"],
  ])("refuses a filter with %s with BAD_USER_INPUT", async (_what, filter, field, sent) => {
    const query = `query($filter: OfficerFilter) { officers(filter: $filter) { totalCount } }`;
    expectRefusal(await admin.query(query, { filter }), { code: "BAD_USER_INPUT", field }, sent);
  });

  it("resolves units and assignments with as many statements for 50 officers as for 5", async () => {
    const [before, after] = [await createDistrict(admin), await createDistrict(admin, "KZ-KAR")];
    const roster = Array.from({ length: 50 }, () => rosterRow({ unitCode: before }));
    ok(await admin.op("ImportOfficers", { input: { officers: roster } }));
    ok(
      await admin.op("ImportOfficers", {
        input: { officers: roster.map((r) => ({ ...r, unitCode: after })) },
      }),
    );
    const query = `query($unitCode: String!, $first: Int) {
      officers(filter: { unitCode: $unitCode }, first: $first) {
        edges { node { unit { code parent { code } } assignments { unit { code } } } }
      }
    }`;
    const statementsFor = async (first: number) => {
      const start = t.database.statements.count;
      const { officers } = ok(await admin.query(query, { unitCode: after, first }));
      expect(officers.edges).toHaveLength(first);
      expect(officers.edges[0].node).toEqual({
        unit: { code: after, parent: { code: "KZ-KAR" } },
        assignments: [{ unit: { code: before } }, { unit: { code: after } }],
      });
      return t.database.statements.count - start;
    };

    expect(await statementsFor(50)).toBe(await statementsFor(5));
  });

  it("reads a unit's parent and the parent's parent in the unit's own statement", async () => {
    const district = await createDistrict(admin, "KZ-PAV");
    const officer = await createOfficer(admin, { unitCode: district });
    const statementsFor = async (unitSelection: string) => {
      const start = t.database.statements.count;
      const { officer: found } = ok(
        await admin.query(
          `query($b: String!) { officer(badgeNumber: $b) { unit { ${unitSelection} } } }`,
          { b: officer.badgeNumber },
        ),
      );
      return { unit: found.unit, statements: t.database.statements.count - start };
    };
    const alone = await statementsFor("code");
    const withAncestors = await statementsFor(
      "code parent { code kind parent { code kind parent { code } } }",
    );
    expect(withAncestors.unit).toEqual({
      code: district,
      parent: {
        code: "KZ-PAV",
        kind: "REGION",
        parent: { code: "MVD", kind: "MINISTRY", parent: null },
      },
    });
    expect(withAncestors.statements).toBe(alone.statements);
  });

  it("reads an officer's unit with the officer's assignments, in no statement of its own", async () => {
    const district = await createDistrict(admin, "KZ-KAR");
    const officer = await createOfficer(admin, { unitCode: district });
    const statementsFor = async (selection: string) => {
      const start = t.database.statements.count;
      const { officer: found } = ok(
        await admin.query(`query($b: String!) { officer(badgeNumber: $b) { ${selection} } }`, {
          b: officer.badgeNumber,
        }),
      );
      return { found, statements: t.database.statements.count - start };
    };
    const assignments = await statementsFor("assignments { from }");
    const withUnits = await statementsFor(
      "assignments { from unit { code } } unit { code parent { code parent { code } } }",
    );
    expect(withUnits.found).toMatchObject({
      assignments: [{ unit: { code: district } }],
      unit: { code: district, parent: { code: "KZ-KAR", parent: { code: "MVD" } } },
    });
    expect(withUnits.statements).toBe(assignments.statements);
  });
});

describe("argument checks", () => {
  it("check each value of a type on its own, whichever other field of the request has the same type", async () => {
    const district = await createDistrict(admin);
    const page = (alias: string, unitCode: string) =>
      `${alias}: officers(first: 2, filter: { unitCode: "${unitCode}" }) { totalCount }`;
    const result = await admin.query(
      `{ ${page("good", district)} ${page("bad", "not a code")} ${page("again", district)} }`,
    );
    // One refusal, of the bad value only (`officers` is non-null, so the refusal nulls the whole data).
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ["bad"],
      extensions: { code: "BAD_USER_INPUT", field: "filter.unitCode" },
    });
  });
});

describe("an officer's allegations", () => {
  it("are read from the officer index alone unless a selected field needs the rest, through aliases and fragments too", async () => {
    const officer = await createOfficer(admin, { unitCode: await createDistrict(admin) });
    const investigator = await t.as("INVESTIGATOR");
    const { id: complaintId } = await openCase(t, {
      officers: [{ badgeNumber: officer.badgeNumber }],
      categories: ["FORCE"],
    });
    const description = "Tall, in a grey jacket.";
    ok(
      await investigator.op("AddAllegation", {
        input: {
          complaintId,
          category: "DISCOURTESY",
          officerBadge: officer.badgeNumber,
          description,
        },
      }),
    );
    const read = (items: string, fragments = "") =>
      statementsDuring(t, async () => {
        const found = ok(
          await investigator.query(
            `query($b: String!) { officer(badgeNumber: $b) { allegations(first: 5) { totalCount edges { node { ${items} } } } } } ${fragments}`,
            { b: officer.badgeNumber },
          ),
        ) as { officer: { allegations: { totalCount: number; edges: { node: object }[] } } };
        return found.officer.allegations;
      });
    const allegationRead = (texts: string[]) =>
      texts.filter((s) => s.includes("from allegations t where t.officer_id"));
    const narrow = await read("id category finding officer { badgeNumber } complaint { id }");
    const whole = await read(
      "...Seen",
      "fragment Seen on Allegation { id category finding officer { badgeNumber } complaint { id } said: description }",
    );
    expect(whole.result.totalCount).toBe(2);
    expect(whole.result.edges.map((e) => e.node)).toEqual(
      narrow.result.edges.map((e, i) => ({ ...e.node, said: i === 0 ? description : null })),
    );
    expect(narrow.result.totalCount).toBe(2);
    const [narrowRead] = allegationRead(narrow.texts);
    const [wholeRead] = allegationRead(whole.texts);
    expect(narrowRead).not.toContain("description");
    expect(wholeRead).toContain("description");
  });
});

describe("transferOfficer", () => {
  it("moves an officer from a date, closing the old assignment that day", async () => {
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const officer = await createOfficer(admin, { unitCode: from, hiredAt: "2019-08-01" });
    const effectiveFrom = daysFromToday(-30);

    const { transferOfficer } = ok(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: to, effectiveFrom }),
    );

    expect(transferOfficer.officer).toEqual({
      id: officer.id,
      unit: { code: to },
      assignments: [
        { unit: { code: from }, from: "2019-08-01", to: effectiveFrom },
        { unit: { code: to }, from: effectiveFrom, to: null },
      ],
    });
    expect(
      (await assignmentRows(t.database.db, officer.id)).map((a) => [a.fromDate, a.toDate]),
    ).toEqual([
      ["2019-08-01", effectiveFrom],
      [effectiveFrom, null],
    ]);
    expect((await officersPage(admin, { filter: { unitCode: to } })).badges).toEqual([
      officer.badgeNumber,
    ]);
    expect((await officersPage(admin, { filter: { unitCode: from } })).badges).toEqual([]);
  });

  it("transfers from today when no date is given", async () => {
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const officer = await createOfficer(admin, { unitCode: from });
    const { transferOfficer } = ok(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: to }),
    );
    expect(transferOfficer.officer.unit).toEqual({ code: to });
    expect(transferOfficer.officer.assignments.at(-1)).toEqual({
      unit: { code: to },
      from: daysFromToday(0),
      to: null,
    });
  });

  it("records a future transfer without changing the unit the officer serves in today", async () => {
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const officer = await createOfficer(admin, { unitCode: from, hiredAt: "2019-08-01" });
    const effectiveFrom = daysFromToday(30);

    const { transferOfficer } = ok(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: to, effectiveFrom }),
    );

    expect(transferOfficer.officer.unit).toEqual({ code: from });
    expect(transferOfficer.officer.assignments).toEqual([
      { unit: { code: from }, from: "2019-08-01", to: effectiveFrom },
      { unit: { code: to }, from: effectiveFrom, to: null },
    ]);
    expect((await officersPage(admin, { filter: { unitCode: from } })).badges).toEqual([
      officer.badgeNumber,
    ]);
    expect((await officersPage(admin, { filter: { unitCode: to } })).badges).toEqual([]);
  });

  it("refuses a transfer to the officer's own unit or to an unknown unit, and changes nothing", async () => {
    const district = await createDistrict(admin);
    const officer = await createOfficer(admin, { unitCode: district });
    const history = await assignmentRows(t.database.db, officer.id);

    expectRefusal(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: district }),
      { code: "BAD_USER_INPUT", field: "input.unitCode" },
      district,
    );
    expectRefusal(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: "KZ-NOWHERE-42" }),
      { code: "BAD_USER_INPUT", field: "input.unitCode" },
      "KZ-NOWHERE-42",
    );
    expectRefusal(
      await transfer({ badgeNumber: officer.badgeNumber, unitCode: "not a code" }),
      { code: "BAD_USER_INPUT", field: "input.unitCode" },
      "not a code",
    );
    expect(await assignmentRows(t.database.db, officer.id)).toEqual(history);
  });

  it("refuses a date that is not after the latest move, more than a year ahead, or not on the calendar", async () => {
    const [from, to, later] = [
      await createDistrict(admin),
      await createDistrict(admin),
      await createDistrict(admin),
    ];
    const officer = await createOfficer(admin, { unitCode: from, hiredAt: "2019-08-01" });
    ok(
      await transfer({
        badgeNumber: officer.badgeNumber,
        unitCode: to,
        effectiveFrom: daysFromToday(30),
      }),
    );
    const history = await assignmentRows(t.database.db, officer.id);
    const moveTo = (unitCode: string, effectiveFrom: string) =>
      transfer({ badgeNumber: officer.badgeNumber, unitCode, effectiveFrom });

    expectRefusal(await moveTo(later, daysFromToday(30)), {
      code: "BAD_USER_INPUT",
      field: "input.effectiveFrom",
    });
    expectRefusal(await moveTo(later, daysFromToday(10)), {
      code: "BAD_USER_INPUT",
      field: "input.effectiveFrom",
    });
    expectRefusal(
      await moveTo(later, "2018-01-01"),
      { code: "BAD_USER_INPUT", field: "input.effectiveFrom" },
      "2018-01-01",
    );
    expectRefusal(await moveTo(later, daysFromToday(400)), {
      code: "BAD_USER_INPUT",
      field: "input.effectiveFrom",
    });
    expectRefusal(
      await moveTo(later, "2026-02-30"),
      { code: "BAD_USER_INPUT", field: "input.effectiveFrom" },
      "2026-02-30",
    );
    expectRefusal(await moveTo(to, daysFromToday(60)), {
      code: "BAD_USER_INPUT",
      field: "input.unitCode",
    });
    expect(await assignmentRows(t.database.db, officer.id)).toEqual(history);
  });

  it.each(["DISMISSED", "RETIRED"])(
    "refuses to transfer a %s officer with INVALID_STATE",
    async (status) => {
      const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
      const officer = await createOfficer(admin, { unitCode: from });
      ok(await changeStatus(officer.badgeNumber, status));
      const history = await assignmentRows(t.database.db, officer.id);

      expect(errorOf(await transfer({ badgeNumber: officer.badgeNumber, unitCode: to }))).toEqual({
        code: "INVALID_STATE",
      });
      expect(await assignmentRows(t.database.db, officer.id)).toEqual(history);
    },
  );

  it("gives NOT_FOUND for an unknown badge number", async () => {
    expect(errorOf(await transfer({ badgeNumber: unique("NOBODY"), unitCode: "KZ-ALA" }))).toEqual({
      code: "NOT_FOUND",
      field: "input.badgeNumber",
    });
  });
});

describe("changeOfficerStatus", () => {
  it("suspends an officer and keeps the reason in the status history", async () => {
    const officer = await createOfficer(admin);
    const { changeOfficerStatus } = ok(
      await changeStatus(officer.badgeNumber, "SUSPENDED", "Order No. 412, pending inquiry"),
    );

    expect(changeOfficerStatus.officer).toEqual({ id: officer.id, status: "SUSPENDED" });
    expect(await officerRows(t.database.db, [officer.badgeNumber])).toEqual([
      expect.objectContaining({ status: "SUSPENDED" }),
    ]);
    expect(await statusChangeRows(t.database.db, officer.id)).toEqual([
      expect.objectContaining({
        fromStatus: "ACTIVE",
        toStatus: "SUSPENDED",
        reason: "Order No. 412, pending inquiry",
        changedBy: admin.principalId,
      }),
    ]);
  });

  it("reinstates a dismissed officer, since courts overturn dismissals", async () => {
    const officer = await createOfficer(admin);
    ok(await changeStatus(officer.badgeNumber, "DISMISSED"));
    const { changeOfficerStatus } = ok(
      await changeStatus(officer.badgeNumber, "ACTIVE", "Court ruling 2-1234/2026"),
    );
    expect(changeOfficerStatus.officer.status).toBe("ACTIVE");
    expect(
      (await statusChangeRows(t.database.db, officer.id)).map((c) => c.toStatus).sort(),
    ).toEqual(["ACTIVE", "DISMISSED"]);
  });

  it("refuses to set the status the officer already has, with INVALID_STATE", async () => {
    const officer = await createOfficer(admin);
    expect(errorOf(await changeStatus(officer.badgeNumber, "ACTIVE"))).toEqual({
      code: "INVALID_STATE",
    });
    expect(await statusChangeRows(t.database.db, officer.id)).toEqual([]);
  });

  it.each([
    ["an empty reason", { reason: "" }, "input.reason", undefined],
    [
      "a reason over 1000 characters",
      { reason: "Order 77. ".repeat(101) },
      "input.reason",
      "Order 77. Order 77.",
    ],
    ["a reason with a NUL byte", { reason: "Order\u0000 77" }, "input.reason", undefined],
    ["a status that does not exist", { status: "FIRED" }, "input.status", "FIRED"],
  ])(
    "refuses %s with BAD_USER_INPUT and changes nothing",
    async (_what, overrides, field, sent) => {
      const officer = await createOfficer(admin);
      const input = {
        badgeNumber: officer.badgeNumber,
        status: "SUSPENDED",
        reason: "Order 77",
        ...overrides,
      };
      expectRefusal(
        await admin.op("ChangeOfficerStatus", { input }),
        { code: "BAD_USER_INPUT", field },
        sent,
      );
      expect(await officerRows(t.database.db, [officer.badgeNumber])).toEqual([
        expect.objectContaining({ status: "ACTIVE" }),
      ]);
      expect(await statusChangeRows(t.database.db, officer.id)).toEqual([]);
    },
  );

  it("gives NOT_FOUND for an unknown badge number", async () => {
    expect(errorOf(await changeStatus(unique("NOBODY"), "SUSPENDED"))).toEqual({
      code: "NOT_FOUND",
      field: "input.badgeNumber",
    });
  });
});

describe("audit of officer changes", () => {
  it("writes one record per change, naming the officer only by id", async () => {
    const fullName = "Zhanibek Tolegenuly";
    const officer = await createOfficer(admin, { fullName });
    ok(await transfer({ badgeNumber: officer.badgeNumber, unitCode: "KZ-ALA" }));
    ok(await changeStatus(officer.badgeNumber, "ON_LEAVE"));

    expect(await auditRecordsAbout(t.database.db, officer.id)).toEqual([
      expect.objectContaining({
        action: "createOfficer",
        entity: "Officer",
        outcome: "SUCCESS",
        principalId: admin.principalId,
      }),
      expect.objectContaining({
        action: "transferOfficer",
        entity: "Officer",
        outcome: "SUCCESS",
        principalId: admin.principalId,
      }),
      expect.objectContaining({
        action: "changeOfficerStatus",
        entity: "Officer",
        outcome: "SUCCESS",
        principalId: admin.principalId,
      }),
    ]);
    const stored = JSON.stringify(await rawAuditRows(t.database.db, [officer.id]));
    expect(stored).not.toContain(fullName);
    expect(stored).not.toContain("Zhanibek");
  });

  it("writes no record for a change that was refused", async () => {
    const clerk = await t.newCaller("ADMIN", "Roster clerk");
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const officer = await createOfficer(admin, { unitCode: from });
    ok(await changeStatus(officer.badgeNumber, "RETIRED"));
    const before = await auditRecordsAbout(t.database.db, officer.id);

    const refusals = [
      await clerk.op("CreateOfficer", {
        input: officerInput({ badgeNumber: officer.badgeNumber }),
      }),
      await clerk.op("CreateOfficer", { input: officerInput({ rank: "GENERALISSIMO" }) }),
      await clerk.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: to },
      }),
      await clerk.op("ChangeOfficerStatus", {
        input: { badgeNumber: officer.badgeNumber, status: "RETIRED", reason: "Again" },
      }),
    ];

    expect(refusals.map((r) => errorOf(r).code)).toEqual([
      "BAD_USER_INPUT",
      "BAD_USER_INPUT",
      "INVALID_STATE",
      "INVALID_STATE",
    ]);
    expect(await auditRecordsBy(t.database.db, clerk.principalId)).toEqual([]);
    expect(await auditRecordsAbout(t.database.db, officer.id)).toEqual(before);
  });
});

describe("what a read asks of each officer", () => {
  it("is one statement: assignments, allegation and commendation pages and standing cost what the standing alone does", async () => {
    const district = await createDistrict(admin);
    const [first, second] = [
      await createOfficer(admin, { unitCode: district }),
      await createOfficer(admin, { unitCode: district }),
    ];
    await openCase(t, { officers: [{ badgeNumber: first.badgeNumber }], categories: ["FORCE"] });
    await openCase(t, {
      officers: [{ badgeNumber: first.badgeNumber }],
      categories: ["CORRUPTION"],
    });
    const investigator = await t.as("INVESTIGATOR");
    const roster = (fields: string) =>
      statementsDuring(t, async () => {
        const { officers } = ok(
          await investigator.query(
            `query($u: String!) { officers(filter: { unitCode: $u }, first: 10) {
              edges { node { badgeNumber standing { standing } ${fields} } } } }`,
            { u: district },
          ),
        ) as { officers: { edges: { node: Record<string, unknown> }[] } };
        return officers.edges.map((e) => e.node);
      });
    const alone = await roster("");
    const all = await roster(`unit { code } assignments { from }
      allegations(first: 5) { totalCount edges { node { category finding } } }
      commendations(first: 5) { totalCount edges { node { type } } }`);
    expect(all.statements).toBe(alone.statements);
    const byBadge = new Map(all.result.map((o) => [o.badgeNumber, o]));
    expect(byBadge.get(first.badgeNumber)).toMatchObject({
      standing: { standing: "GOOD" },
      unit: { code: district },
      assignments: [{ from: expect.any(String) }],
      allegations: {
        totalCount: 2,
        edges: expect.arrayContaining([
          { node: { category: "FORCE", finding: null } },
          { node: { category: "CORRUPTION", finding: null } },
        ]),
      },
      commendations: { totalCount: 0, edges: [] },
    });
    expect(byBadge.get(second.badgeNumber)).toMatchObject({
      allegations: { totalCount: 0, edges: [] },
      commendations: { totalCount: 0, edges: [] },
    });
    // The parts are read together: one statement holds the allegation page and the standing.
    expect(
      all.texts.filter((s) => s.includes("from allegations t") && s.includes("'SEPARATED'")),
    ).toHaveLength(1);
  });
});

describe("an officer's assignments", () => {
  it("never cover one day twice, even when written behind the service's back", async () => {
    const officer = await createOfficer(admin, { unitCode: await createDistrict(admin) });
    const { db } = t.database;
    const [unit] = await db
      .select()
      .from(units)
      .where(eq(units.code, await createDistrict(admin)));
    const [original] = await assignmentRows(db, officer.id);
    const overlapping = { officerId: officer.id, unitId: unit.id, fromDate: daysFromToday(-1) };
    const refusal = await db
      .insert(officerAssignments)
      .values(overlapping)
      .then(() => null)
      .catch((e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code);
    expect(refusal).toBe("23P01");
    expect(await assignmentRows(db, officer.id)).toEqual([original]);
    // One that starts where the open one now ends is a transfer: allowed.
    await db.transaction(async (tx) => {
      await tx
        .update(officerAssignments)
        .set({ toDate: daysFromToday(5) })
        .where(eq(officerAssignments.id, original.id));
      await tx.insert(officerAssignments).values({ ...overlapping, fromDate: daysFromToday(5) });
    });
    expect(await assignmentRows(db, officer.id)).toHaveLength(2);
  });
});
