import { asFixture } from "./helpers/database";
import { sql } from "drizzle-orm";
import { addDays } from "../src/common/dates";
import { createDistrict, createOfficer } from "./helpers/factories";
import { yearsFromToday } from "./helpers/officers";
import {
  advanceTo,
  caseIn,
  DAY,
  daysFromNow,
  openCase,
  setDeadline,
  statementsDuring,
} from "./helpers/cases";
import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";

let t: TestServer;
let admin: Caller;
let investigator: Caller;
let supervisor: Caller;
beforeAll(async () => {
  t = await startTestServer();
  admin = await t.as("ADMIN");
  investigator = await t.as("INVESTIGATOR");
  supervisor = await t.as("SUPERVISOR");
});
afterAll(() => t.close());

const db = () => t.database.db;

interface QueueNode {
  id: string;
  trackingNumber: string;
  status: string;
  channel: string;
  registeredAt: string;
  responseDueAt: string;
  overdue: boolean;
  assignee: { id: string; name: string } | null;
  allegations: {
    id: string;
    category: string;
    finding: string | null;
    officer: { badgeNumber: string; fullName: string } | null;
  }[];
}

/** One page of the contract's CaseQueue. */
async function queue(
  filter: Record<string, unknown>,
  page: { first?: number; after?: string | null } = {},
  caller = investigator,
) {
  const { complaints } = ok(await caller.op("CaseQueue", { filter, ...page }));
  const nodes = complaints.edges.map((e: { node: QueueNode }) => e.node) as QueueNode[];
  return {
    nodes,
    ids: nodes.map((n) => n.id),
    totalCount: complaints.totalCount as number,
    hasNextPage: complaints.pageInfo.hasNextPage as boolean,
    endCursor: complaints.pageInfo.endCursor as string | null,
  };
}

/** Ids of complaints registered in a unit, in the order given. */
async function complaintsIn(
  unitCode: string,
  count: number,
  overrides: Record<string, unknown> = {},
) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await openCase(t, { unitCode, ...overrides })).id);
  return ids;
}

const assign = async (id: string, assigneeId: string) => {
  const { complaint } = ok(
    await supervisor.query("query($id: ID!) { complaint(id: $id) { version } }", { id }),
  );
  ok(
    await supervisor.op("AssignComplaint", {
      input: { complaintId: id, assigneeId, expectedVersion: complaint.version },
    }),
  );
};

describe("the case queue", () => {
  it("lists a district's complaints nearest deadline in force first, with what the contract asks for", async () => {
    const district = await createDistrict(admin);
    const officer = await createOfficer(admin, {
      unitCode: district,
      fullName: "Bauyrzhan Abenov",
    });
    const [later, soonest, extended] = await complaintsIn(district, 3, {
      officers: [{ badgeNumber: officer.badgeNumber }],
      categories: ["FORCE"],
    });
    await setDeadline(db(), later, { responseDueAt: daysFromNow(10) });
    await setDeadline(db(), soonest, { responseDueAt: daysFromNow(2) });
    // Originally the first due, but extended past the second.
    await setDeadline(db(), extended, {
      responseDueAt: daysFromNow(1),
      extendedTo: daysFromNow(7),
    });
    await assign(soonest, investigator.principalId!);

    const page = await queue({ unitCode: district });

    expect(page.ids).toEqual([soonest, extended, later]);
    expect(page.totalCount).toBe(3);
    expect(page.hasNextPage).toBe(false);
    expect(page.nodes[0]).toEqual({
      id: soonest,
      trackingNumber: expect.stringMatching(/^SNM-\d{4}-\d{6}$/),
      status: "ASSIGNED",
      channel: "WEB_FORM",
      registeredAt: expect.any(String),
      responseDueAt: expect.any(String),
      overdue: false,
      assignee: { id: investigator.principalId, name: "Test investigator" },
      allegations: [
        {
          id: expect.any(String),
          category: "FORCE",
          finding: null,
          officer: { badgeNumber: officer.badgeNumber, fullName: "Bauyrzhan Abenov" },
        },
      ],
    });
    expect(page.nodes[1]).toMatchObject({ assignee: null, status: "REGISTERED" });
  });

  it("pages through every complaint exactly once, in order, even when deadlines tie", async () => {
    const district = await createDistrict(admin);
    const ids = await complaintsIn(district, 7);
    const due = daysFromNow(9);
    for (const [i, id] of ids.entries())
      await setDeadline(db(), id, {
        responseDueAt: i < 4 ? due : new Date(due.getTime() + i * DAY),
      });

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page = await queue({ unitCode: district }, { first: 2, after });
      expect(page.totalCount).toBe(7);
      seen.push(...page.ids);
      if (!page.hasNextPage) {
        expect(pages).toBe(4);
        break;
      }
      expect(page.ids).toHaveLength(2);
      after = page.endCursor;
    }
    // Equal deadlines fall back to the id, so the order is stable from page to page.
    expect(seen.slice(0, 4)).toEqual([...ids.slice(0, 4)].sort());
    expect(seen.slice(4)).toEqual(ids.slice(4));
    expect(new Set(seen).size).toBe(7);
    expect(await queue({ unitCode: district }, { first: 7 })).toMatchObject({
      ids: seen,
      hasNextPage: false,
    });
  });

  it("pages exactly through deadlines stored with microseconds (written by SQL, not by the API)", async () => {
    const district = await createDistrict(admin);
    const ids = await complaintsIn(district, 3);
    for (const [i, id] of ids.entries()) {
      await asFixture(db(), (tx) =>
        tx.execute(
          sql`update complaints set response_due_at = ${`${addDays(yearsFromToday(4), i)} 08:00:00.123456+00`}::timestamptz where id = ${id}`,
        ),
      );
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const page = await queue({ unitCode: district }, { first: 1, after });
      seen.push(...page.ids);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it("takes up to 100 per page and refuses more than 100 or fewer than 1 with BAD_USER_INPUT on first", async () => {
    const district = await createDistrict(admin);
    await complaintsIn(district, 1);
    expect((await queue({ unitCode: district })).ids).toHaveLength(1);
    expect((await queue({ unitCode: district }, { first: 100 })).ids).toHaveLength(1);
    for (const first of [0, -1, 101]) {
      expect(
        errorOf(await investigator.op("CaseQueue", { filter: { unitCode: district }, first })),
      ).toEqual({ code: "BAD_USER_INPUT", field: "first" });
    }
  });

  it.each([
    "garbage",
    Buffer.from(JSON.stringify(["not a date", "x"])).toString("base64url"),
    Buffer.from("{}").toString("base64url"),
    // A date that does not exist: JavaScript rolls it over to March 2nd, PostgreSQL refuses it.
    Buffer.from(
      JSON.stringify(["2025-02-30T00:00:00.000Z", "00000000-0000-4000-8000-000000000000"]),
    ).toString("base64url"),
  ])("refuses a cursor it did not issue (%s) with BAD_USER_INPUT on after", async (after) => {
    expect(errorOf(await investigator.op("CaseQueue", { filter: {}, first: 5, after }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "after",
    });
  });

  it("refuses an officer-history cursor holding a date that does not exist with BAD_USER_INPUT on after", async () => {
    const officer = await createOfficer(admin);
    const after = Buffer.from(
      JSON.stringify(["2025-02-30T00:00:00.000000Z", "00000000-0000-4000-8000-000000000000"]),
    ).toString("base64url");
    for (const list of ["allegations", "commendations"]) {
      const result = await investigator.query(
        `query($b: String!, $after: String) { officer(badgeNumber: $b) { ${list}(first: 2, after: $after) { totalCount } } }`,
        { b: officer.badgeNumber, after },
      );
      expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    }
  });

  it("answers an empty page, not an error, when nothing matches", async () => {
    const district = await createDistrict(admin);
    expect(await queue({ unitCode: district })).toEqual({
      nodes: [],
      ids: [],
      totalCount: 0,
      hasNextPage: false,
      endCursor: null,
    });
  });
});

describe("queue filters", () => {
  it("takes a unit's whole subtree: a region holds its districts' complaints and its own", async () => {
    // Scoped to one new assignee, because the region is shared with every other test.
    const handler = await t.newCaller("INVESTIGATOR", "Subtree handler");
    const [east, west] = [
      await createDistrict(admin, "KZ-ZHE"),
      await createDistrict(admin, "KZ-ZHE"),
    ];
    const [inEast] = await complaintsIn(east, 1);
    const [inWest] = await complaintsIn(west, 1);
    const [inRegion] = await complaintsIn("KZ-ZHE", 1);
    const [elsewhere] = await complaintsIn("KZ-KUS", 1);
    for (const id of [inEast, inWest, inRegion, elsewhere]) await assign(id, handler.principalId!);
    const mine = { assigneeId: handler.principalId };

    expect((await queue({ ...mine, unitCode: east })).ids).toEqual([inEast]);
    expect((await queue({ ...mine, unitCode: "KZ-ZHE" })).ids.sort()).toEqual(
      [inEast, inWest, inRegion].sort(),
    );
    expect((await queue({ ...mine, unitCode: "MVD" })).ids.sort()).toEqual(
      [inEast, inWest, inRegion, elsewhere].sort(),
    );
    expect((await queue(mine)).totalCount).toBe(4);
  });

  it("refuses a unit code no unit has with BAD_USER_INPUT on filter.unitCode", async () => {
    expect(
      errorOf(await investigator.op("CaseQueue", { filter: { unitCode: "KZ-NOWHERE-1" } })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "filter.unitCode" });
  });

  it("filters by status, one or several", async () => {
    const district = await createDistrict(admin);
    const registered = (await openCase(t, { unitCode: district })).id;
    const assigned = (await caseIn(t, "ASSIGNED", { unitCode: district })).id;
    const investigating = (await caseIn(t, "UNDER_INVESTIGATION", { unitCode: district })).id;
    const closed = (await caseIn(t, "CLOSED", { unitCode: district })).id;
    const ids = async (status: string[]) =>
      (await queue({ unitCode: district, status })).ids.sort();

    expect(await ids(["REGISTERED", "ASSIGNED"])).toEqual([registered, assigned].sort());
    expect(await ids(["UNDER_INVESTIGATION"])).toEqual([investigating]);
    expect(await ids(["CLOSED"])).toEqual([closed]);
    expect(await ids(["PENDING_REVIEW", "REOPENED"])).toEqual([]);
    expect(await ids([])).toEqual([registered, assigned, investigating, closed].sort());
  });

  it("filters overdue on the deadline in force, and never counts a closed complaint", async () => {
    const district = await createDistrict(admin);
    const [late, rescued, onTime, lapsedExtension] = await complaintsIn(district, 4);
    const closedLate = (await caseIn(t, "CLOSED", { unitCode: district })).id;
    await setDeadline(db(), late, { responseDueAt: daysFromNow(-2) });
    await setDeadline(db(), rescued, {
      responseDueAt: daysFromNow(-3),
      extendedTo: daysFromNow(5),
    });
    await setDeadline(db(), onTime, { responseDueAt: daysFromNow(3) });
    await setDeadline(db(), lapsedExtension, {
      responseDueAt: daysFromNow(-9),
      extendedTo: daysFromNow(-1),
    });
    await setDeadline(db(), closedLate, { responseDueAt: daysFromNow(-4) });

    const overdue = await queue({ unitCode: district, overdue: true });
    expect(overdue.ids).toEqual([late, lapsedExtension]);
    expect(overdue.nodes.every((n) => n.overdue)).toBe(true);

    const notOverdue = await queue({ unitCode: district, overdue: false });
    expect(notOverdue.ids).toEqual([closedLate, onTime, rescued]);
    expect(notOverdue.nodes.map((n) => n.overdue)).toEqual([false, false, false]);

    // The contract's example: open and late in a unit.
    const example = await queue(
      { status: ["REGISTERED", "ASSIGNED"], unitCode: district, overdue: true },
      { first: 50 },
    );
    expect(example.ids).toEqual([late, lapsedExtension]);
  });

  it("merges a subtree's units and statuses in deadline order, page after page, with the same count", async () => {
    const region = await createDistrict(admin, "MVD");
    const [north, south] = [
      await createDistrict(admin, region),
      await createDistrict(admin, region),
    ];
    const ids = [...(await complaintsIn(north, 4)), ...(await complaintsIn(south, 3))];
    ids.push((await caseIn(t, "CLOSED", { unitCode: south })).id);
    // Whole milliseconds, so that equal deadlines tie exactly (in different units and statuses).
    const base = Math.floor(Date.now() / 1000) * 1000;
    const at = (days: number) => new Date(base + days * DAY);
    const days = [-3, 5, -1, 1, -3, -7, 3, -5];
    for (const [i, id] of ids.entries())
      await setDeadline(db(), id, { responseDueAt: at(days[i]) });
    await setDeadline(db(), ids[3], { responseDueAt: at(-9), extendedTo: at(4) });
    for (const id of [ids[1], ids[4], ids[5]]) await assign(id, investigator.principalId!);
    const filter = { unitCode: region, status: ["ASSIGNED", "REGISTERED", "ASSIGNED"] };
    // The ministry's queue is read by another plan (complaints_due_idx): the region's must agree with it.
    const ministry = await queue({ ...filter, unitCode: "MVD" }, { first: 100 });
    const expected = ministry.ids.filter((id) => ids.includes(id));
    expect(expected).toHaveLength(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await queue(filter, { first: 2, after });
      expect(page.totalCount).toBe(7);
      seen.push(...page.ids);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(expected);
    const overdue = await queue({ ...filter, overdue: true }, { first: 50 });
    expect(overdue).toMatchObject({
      ids: [ids[5], ...[ids[0], ids[4]].sort(), ids[2]],
      totalCount: 4,
    });
  });

  it("filters by allegation category", async () => {
    const district = await createDistrict(admin);
    const [force] = await complaintsIn(district, 1, { categories: ["DISCOURTESY", "FORCE"] });
    const [corruption] = await complaintsIn(district, 1, { categories: ["CORRUPTION"] });
    // An allegation added later counts too.
    ok(
      await investigator.op("AddAllegation", {
        input: { complaintId: corruption, category: "CYBER_FRAUD_HANDLING" },
      }),
    );

    expect((await queue({ unitCode: district, category: "FORCE" })).ids).toEqual([force]);
    expect((await queue({ unitCode: district, category: "CYBER_FRAUD_HANDLING" })).ids).toEqual([
      corruption,
    ]);
    expect((await queue({ unitCode: district, category: "MINORS_RIGHTS" })).ids).toEqual([]);
  });

  it("filters by the officer an allegation names, from the form or identified later", async () => {
    const officer = await createOfficer(admin);
    const [named] = await complaintsIn("KZ-AST", 1, {
      officers: [{ badgeNumber: officer.badgeNumber }],
    });
    const identifiedLater = await openCase(t);
    ok(
      await investigator.op("IdentifyOfficer", {
        input: {
          allegationId: identifiedLater.allegationIds[0],
          officerBadge: officer.badgeNumber,
        },
      }),
    );
    await openCase(t, { officers: [{ badgeNumber: (await createOfficer(admin)).badgeNumber }] });

    const page = await queue({ officerBadge: officer.badgeNumber });
    expect(page.ids.sort()).toEqual([named, identifiedLater.id].sort());
    expect(page.totalCount).toBe(2);
    expect((await queue({ officerBadge: "NO-SUCH-BADGE-1" })).totalCount).toBe(0);
  });

  it("filters by assignee", async () => {
    const district = await createDistrict(admin);
    const [a, b, c] = await complaintsIn(district, 3);
    const dana = await t.newCaller("INVESTIGATOR", "Dana");
    const marat = await t.newCaller("INVESTIGATOR", "Marat");
    await assign(a, dana.principalId!);
    await assign(b, dana.principalId!);
    await assign(c, marat.principalId!);

    expect((await queue({ assigneeId: dana.principalId })).ids.sort()).toEqual([a, b].sort());
    expect((await queue({ assigneeId: marat.principalId })).ids).toEqual([c]);
    expect(errorOf(await investigator.op("CaseQueue", { filter: { assigneeId: "dana" } }))).toEqual(
      { code: "BAD_USER_INPUT", field: "filter.assigneeId" },
    );
  });

  it("filters by registration time: from inclusive, to exclusive", async () => {
    const district = await createDistrict(admin);
    const [january, february, march] = await complaintsIn(district, 3);
    await setDeadline(db(), january, { registeredAt: new Date("2025-01-10T09:00:00Z") });
    await setDeadline(db(), february, { registeredAt: new Date("2025-02-01T00:00:00Z") });
    await setDeadline(db(), march, { registeredAt: new Date("2025-03-01T00:00:00Z") });
    const ids = async (range: Record<string, string>) =>
      (await queue({ unitCode: district, ...range })).ids.sort();

    expect(
      await ids({ registeredFrom: "2025-02-01T00:00:00Z", registeredTo: "2025-03-01T00:00:00Z" }),
    ).toEqual([february]);
    expect(await ids({ registeredFrom: "2025-02-01T00:00:00.001Z" })).toEqual([march]);
    expect(await ids({ registeredTo: "2025-02-01T00:00:00Z" })).toEqual([january]);
    expect(await ids({ registeredFrom: "2025-01-01T00:00:00Z" })).toEqual(
      [january, february, march].sort(),
    );
  });

  it("combines filters: every condition must hold", async () => {
    const district = await createDistrict(admin);
    const officer = await createOfficer(admin, { unitCode: district });
    const [match] = await complaintsIn(district, 1, {
      categories: ["FORCE"],
      officers: [{ badgeNumber: officer.badgeNumber }],
    });
    const [otherCategory] = await complaintsIn(district, 1, {
      categories: ["DISCOURTESY"],
      officers: [{ badgeNumber: officer.badgeNumber }],
    });
    const [otherOfficer] = await complaintsIn(district, 1, { categories: ["FORCE"] });
    await advanceTo(t, match, "ASSIGNED");
    await advanceTo(t, otherCategory, "ASSIGNED");
    await advanceTo(t, otherOfficer, "ASSIGNED");

    const page = await queue({
      unitCode: district,
      status: ["ASSIGNED"],
      category: "FORCE",
      officerBadge: officer.badgeNumber,
      overdue: false,
    });
    expect(page.ids).toEqual([match]);
    expect(page.totalCount).toBe(1);
  });

  it("finds one complaint by its tracking number, as quoted in a letter", async () => {
    const { id, receipt } = await openCase(t);
    expect((await queue({ trackingNumber: receipt.trackingNumber.toLowerCase() })).ids).toEqual([
      id,
    ]);
  });
});

describe("loading a queue page", () => {
  const CASE_QUEUE_PAGE = 50;

  it("sends the same number of SQL statements for 5 complaints as for 50 (assignees, allegations and officers are batched)", async () => {
    const district = await createDistrict(admin);
    const officers = await Promise.all(
      Array.from({ length: 4 }, () => createOfficer(admin, { unitCode: district })),
    );
    const handlers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.newCaller("INVESTIGATOR", `Handler ${i}`)),
    );
    for (let i = 0; i < CASE_QUEUE_PAGE; i++) {
      const named = [officers[i % 4], officers[(i + 1) % 4]].map((o) => ({
        badgeNumber: o.badgeNumber,
      }));
      const { id } = await openCase(t, {
        unitCode: district,
        officers: named,
        categories: ["FORCE", "DISCOURTESY"],
      });
      await assign(id, handlers[i % 5].principalId!);
    }

    const working = { unitCode: district, status: ["ASSIGNED"] };
    const small = await statementsDuring(t, () => queue(working, { first: 5 }));
    const large = await statementsDuring(t, () => queue(working, { first: CASE_QUEUE_PAGE }));

    expect(small.result.ids).toHaveLength(5);
    expect(large.result.ids).toHaveLength(CASE_QUEUE_PAGE);
    expect(
      large.result.nodes.every(
        (n) => n.assignee && n.allegations.length === 4 && n.allegations.every((a) => a.officer),
      ),
    ).toBe(true);
    // The token, the unit, the page with its count, then one batch each for assignees, allegations and officers.
    expect({ page5: small.statements, page50: large.statements }).toEqual({ page5: 6, page50: 6 });
    // And the same texts: one prepared statement each, whatever the batch size.
    expect(large.texts).toEqual(small.texts);
  });

  it("gives 20 complaints when no page size is asked for", async () => {
    const district = await createDistrict(admin);
    await complaintsIn(district, 21);
    expect(await queue({ unitCode: district })).toMatchObject({
      totalCount: 21,
      hasNextPage: true,
    });
    expect((await queue({ unitCode: district })).ids).toHaveLength(20);
  });

  it("counts a unit's statuses' first page in its own statement when totalCount is asked, through a fragment too, and not otherwise", async () => {
    const district = await createDistrict(admin);
    await complaintsIn(district, 3);
    // A statement that reads the page's rows and counts every match too.
    const counted = (texts: string[]) =>
      texts.filter((text) => text.includes("count(*)") && text.includes("tracking_number")).length;
    const send = (
      selection: string,
      after?: string,
      filter: Record<string, unknown> = { unitCode: district, status: ["REGISTERED"] },
    ) =>
      statementsDuring(t, () =>
        investigator.query(
          `query Q($filter: ComplaintFilter, $after: String) { complaints(filter: $filter, first: 2, after: $after) { ${selection} } }
           ${selection.includes("...Total") ? "fragment Total on ComplaintConnection { totalCount }" : ""}`,
          { filter, after },
        ),
      );
    const plain = await send("totalCount pageInfo { endCursor }");
    expect(ok(plain.result).complaints.totalCount).toBe(3);
    expect({ statements: plain.statements, counted: counted(plain.texts) }).toEqual({
      statements: 3,
      counted: 1,
    });
    const spread = await send("...Total edges { node { id } }");
    expect(ok(spread.result).complaints.totalCount).toBe(3);
    expect(counted(spread.texts)).toBe(1);
    const inline = await send("... on ComplaintConnection { totalCount }");
    expect(ok(inline.result).complaints.totalCount).toBe(3);
    expect(counted(inline.texts)).toBe(1);
    const none = await send("edges { node { id } }");
    expect(ok(none.result).complaints.edges).toHaveLength(2);
    expect({ statements: none.statements, counted: counted(none.texts) }).toEqual({
      statements: 3,
      counted: 0,
    });
    // A later page counts in a statement of its own: its rows are only the rest.
    const later = await send("totalCount", ok(plain.result).complaints.pageInfo.endCursor);
    expect(ok(later.result).complaints.totalCount).toBe(3);
    expect({ statements: later.statements, counted: counted(later.texts) }).toEqual({
      statements: 4,
      counted: 0,
    });
    // Without a status, or for the whole ministry, the page is read in deadline order and stops after `first`:
    // counting in it would read every match, so the count has a statement of its own.
    for (const filter of [
      { unitCode: district },
      { unitCode: "MVD", status: ["REGISTERED"] },
      { status: ["REGISTERED"] },
    ]) {
      const apart = await send("totalCount edges { node { id } }", undefined, filter);
      expect(ok(apart.result).complaints.edges).toHaveLength(2);
      expect(counted(apart.texts)).toBe(0);
    }
    const wholeDistrict = await send("totalCount", undefined, { unitCode: district });
    expect(ok(wholeDistrict.result).complaints.totalCount).toBe(3);
  });

  it("pages the whole ministry's queue in deadline order across cursors, every complaint once", async () => {
    const district = await createDistrict(admin);
    const mine = await complaintsIn(district, 5);
    const seen: string[] = [];
    const deadlines: string[] = [];
    let after: string | null = null;
    type Page = {
      edges: { node: { id: string; responseDueAt: string; extendedTo: string | null } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    for (;;) {
      const { complaints }: { complaints: Page } = ok(
        await investigator.query(
          `query Q($after: String) { complaints(first: 50, after: $after) { edges { node { id responseDueAt extendedTo } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        ),
      );
      for (const { node } of complaints.edges) {
        seen.push(node.id);
        deadlines.push(node.extendedTo ?? node.responseDueAt);
      }
      if (!complaints.pageInfo.hasNextPage) break;
      after = complaints.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine));
    expect(deadlines).toEqual([...deadlines].sort());
  });
});
