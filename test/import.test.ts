import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";
import { createDistrict, createOfficer, unique } from "./helpers/factories";
import {
  auditRecordsBy,
  daysFromToday,
  officerRows,
  rawAuditRows,
  readOfficer,
  rosterRow,
  statusChangeRows,
  today,
} from "./helpers/officers";

let t: TestServer;
let admin: Caller;
beforeAll(async () => {
  t = await startTestServer();
  admin = await t.as("ADMIN");
});
afterAll(() => t.close());

type Row = ReturnType<typeof rosterRow> & { status?: string };

const importRoster = (officers: Row[], caller = admin) =>
  caller.op("ImportOfficers", { input: { officers } });
const badgesOf = (roster: Row[]) => roster.map((r) => r.badgeNumber);

describe("importOfficers", () => {
  it("creates every officer on a new roster, serving from their hiring dates", async () => {
    const district = await createDistrict(admin);
    const roster: Row[] = [
      rosterRow({
        unitCode: district,
        fullName: "Aigerim Sadykova",
        rank: "CAPTAIN",
        hiredAt: "2015-03-02",
      }),
      rosterRow({
        unitCode: district,
        fullName: "Nurlan Bekov",
        rank: "SERGEANT",
        hiredAt: "2021-09-15",
      }),
      {
        ...rosterRow({ unitCode: "KZ-ALA", fullName: "Dana Omarova", rank: "MAJOR" }),
        status: "ON_LEAVE",
      },
    ];

    expect(ok(await importRoster(roster)).importOfficers).toEqual({
      created: 3,
      updated: 0,
      errors: [],
    });

    const stored = await officerRows(t.database.db, badgesOf(roster));
    expect(
      stored.map((o) => [o.badgeNumber, o.fullName, o.rank, o.status, o.hiredAt]).sort(),
    ).toEqual(
      [
        [roster[0].badgeNumber, "Aigerim Sadykova", "CAPTAIN", "ACTIVE", "2015-03-02"],
        [roster[1].badgeNumber, "Nurlan Bekov", "SERGEANT", "ACTIVE", "2021-09-15"],
        [roster[2].badgeNumber, "Dana Omarova", "MAJOR", "ON_LEAVE", "2019-08-01"],
      ].sort(),
    );
    expect(await readOfficer(admin, roster[1].badgeNumber)).toMatchObject({
      unit: { code: district },
      assignments: [{ unit: { code: district }, from: "2021-09-15", to: null }],
    });
  });

  it("updates the officers it knows by badge number, and records a new unit as a transfer from today", async () => {
    const [before, after] = [await createDistrict(admin), await createDistrict(admin)];
    const roster = [1, 2, 3].map(() =>
      rosterRow({ unitCode: before, rank: "LIEUTENANT", hiredAt: "2018-01-10" }),
    );
    ok(await importRoster(roster));
    const revised = roster.map((r, i) => ({
      ...r,
      fullName: `Renamed Officer ${i + 1}`,
      rank: "SENIOR_LIEUTENANT",
      unitCode: after,
    }));

    expect(ok(await importRoster(revised)).importOfficers).toEqual({
      created: 0,
      updated: 3,
      errors: [],
    });

    const stored = await officerRows(t.database.db, badgesOf(roster));
    expect(stored.map((o) => [o.fullName, o.rank]).sort()).toEqual([
      ["Renamed Officer 1", "SENIOR_LIEUTENANT"],
      ["Renamed Officer 2", "SENIOR_LIEUTENANT"],
      ["Renamed Officer 3", "SENIOR_LIEUTENANT"],
    ]);
    expect(await readOfficer(admin, roster[0].badgeNumber)).toMatchObject({
      unit: { code: after },
      assignments: [
        { unit: { code: before }, from: "2018-01-10", to: today() },
        { unit: { code: after }, from: today(), to: null },
      ],
    });
  });

  it("keeps the assignment history when a known officer's unit is unchanged", async () => {
    const district = await createDistrict(admin);
    const row = rosterRow({ unitCode: district });
    ok(await importRoster([row]));
    ok(await importRoster([{ ...row, rank: "MAJOR" }]));
    expect((await readOfficer(admin, row.badgeNumber)).assignments).toEqual([
      { unit: { code: district }, from: row.hiredAt, to: null },
    ]);
  });

  it("creates the new and updates the known officers of a mixed roster", async () => {
    const known = await createOfficer(admin, { fullName: "Old Name" });
    const roster = [
      rosterRow(),
      rosterRow({ badgeNumber: known.badgeNumber, fullName: "New Name" }),
      rosterRow(),
    ];
    expect(ok(await importRoster(roster)).importOfficers).toEqual({
      created: 2,
      updated: 1,
      errors: [],
    });
    expect(await officerRows(t.database.db, badgesOf(roster))).toHaveLength(3);
    expect((await readOfficer(admin, known.badgeNumber)).fullName).toBe("New Name");
  });

  it("records a status from the roster in the status history, and leaves the status alone when the row has none", async () => {
    const suspended = await createOfficer(admin);
    const untouched = await createOfficer(admin);
    ok(
      await admin.op("ChangeOfficerStatus", {
        input: { badgeNumber: untouched.badgeNumber, status: "ON_LEAVE", reason: "Annual leave" },
      }),
    );

    ok(
      await importRoster([
        { ...rosterRow({ badgeNumber: suspended.badgeNumber }), status: "SUSPENDED" },
        rosterRow({ badgeNumber: untouched.badgeNumber }),
      ]),
    );

    expect((await readOfficer(admin, suspended.badgeNumber)).status).toBe("SUSPENDED");
    expect(await statusChangeRows(t.database.db, suspended.id)).toEqual([
      expect.objectContaining({
        fromStatus: "ACTIVE",
        toStatus: "SUSPENDED",
        changedBy: admin.principalId,
      }),
    ]);
    expect((await readOfficer(admin, untouched.badgeNumber)).status).toBe("ON_LEAVE");
  });

  it("writes nothing when any row is bad, and lists every bad row by number and field", async () => {
    const district = await createDistrict(admin);
    const repeated = unique("B");
    const roster: Row[] = [
      rosterRow({ unitCode: district }),
      rosterRow({ unitCode: district, rank: "GENERALISSIMO" }),
      rosterRow({ unitCode: district }),
      rosterRow({ unitCode: "KZ-NOWHERE-42" }),
      rosterRow({ unitCode: district, hiredAt: daysFromToday(3) }),
      rosterRow({ unitCode: district, badgeNumber: repeated }),
      rosterRow({ unitCode: district, badgeNumber: repeated }),
      rosterRow({ unitCode: district, fullName: "Kassymov".repeat(26) }),
      rosterRow({ unitCode: district, fullName: "Berik\u0000Kassymov" }),
      rosterRow({ unitCode: district, badgeNumber: "lower-case-badge" }),
      rosterRow({ unitCode: "bad unit code" }),
      rosterRow({ unitCode: district, badgeNumber: "B-\u0000-1" }),
      rosterRow({ unitCode: "KZ\u0000AST" }),
      rosterRow({ unitCode: district }),
    ];

    const { importOfficers } = ok(await importRoster(roster));

    expect(importOfficers).toMatchObject({ created: 0, updated: 0 });
    expect(
      importOfficers.errors.map((e: { row: number; field: string }) => [e.row, e.field]),
    ).toEqual([
      [2, "rank"],
      [4, "unitCode"],
      [5, "hiredAt"],
      [7, "badgeNumber"],
      [8, "fullName"],
      [9, "fullName"],
      [10, "badgeNumber"],
      [11, "unitCode"],
      [12, "badgeNumber"],
      [13, "unitCode"],
    ]);
    const said = JSON.stringify(importOfficers.errors);
    for (const sent of [
      "GENERALISSIMO",
      "KZ-NOWHERE-42",
      daysFromToday(3),
      repeated,
      "Kassymov",
      "lower-case-badge",
      "bad unit code",
    ]) {
      expect(said).not.toContain(sent);
    }
    expect(await officerRows(t.database.db, badgesOf(roster))).toEqual([]);
  });

  it("leaves known officers as they were when another row of the roster is bad", async () => {
    const [before, after] = [await createDistrict(admin), await createDistrict(admin)];
    const known = await createOfficer(admin, { unitCode: before, fullName: "Old Name" });
    const roster = [
      rosterRow({ badgeNumber: known.badgeNumber, fullName: "New Name", unitCode: after }),
      rosterRow({ rank: "NOT_A_RANK" }),
    ];

    expect(ok(await importRoster(roster)).importOfficers).toEqual({
      created: 0,
      updated: 0,
      errors: [{ row: 2, field: "rank", message: expect.any(String) }],
    });
    expect(await readOfficer(admin, known.badgeNumber)).toMatchObject({
      fullName: "Old Name",
      unit: { code: before },
      assignments: [{ unit: { code: before }, to: null }],
    });
  });

  it("refuses to move an officer by roster when a transfer is already scheduled", async () => {
    const [from, to, other] = [
      await createDistrict(admin),
      await createDistrict(admin),
      await createDistrict(admin),
    ];
    const officer = await createOfficer(admin, { unitCode: from });
    ok(
      await admin.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: to, effectiveFrom: daysFromToday(20) },
      }),
    );

    const { importOfficers } = ok(
      await importRoster([rosterRow({ badgeNumber: officer.badgeNumber, unitCode: other })]),
    );

    expect(
      importOfficers.errors.map((e: { row: number; field: string }) => [e.row, e.field]),
    ).toEqual([[1, "unitCode"]]);
    expect(
      (await readOfficer(admin, officer.badgeNumber)).assignments.map((a) => a.unit.code),
    ).toEqual([from, to]);
  });

  it("refuses to move an officer who has left the force, unless the roster reinstates them", async () => {
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const retired = await createOfficer(admin, { unitCode: from });
    ok(
      await admin.op("ChangeOfficerStatus", {
        input: { badgeNumber: retired.badgeNumber, status: "RETIRED", reason: "Pension order 88" },
      }),
    );
    const row = rosterRow({ badgeNumber: retired.badgeNumber, unitCode: to });

    const refused = ok(await importRoster([row])).importOfficers;
    expect(refused.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [1, "unitCode"],
    ]);
    expect((await readOfficer(admin, retired.badgeNumber)).unit).toEqual({ code: from });

    expect(ok(await importRoster([{ ...row, status: "ACTIVE" }])).importOfficers).toEqual({
      created: 0,
      updated: 1,
      errors: [],
    });
    expect(await readOfficer(admin, retired.badgeNumber)).toMatchObject({
      status: "ACTIVE",
      unit: { code: to },
    });
  });

  it("moves the start of service with a corrected hiring date", async () => {
    const district = await createDistrict(admin);
    const row = rosterRow({ unitCode: district, hiredAt: "2020-05-01" });
    ok(await importRoster([row]));

    ok(await importRoster([{ ...row, hiredAt: "2020-04-01" }]));

    expect(await readOfficer(admin, row.badgeNumber)).toMatchObject({
      hiredAt: "2020-04-01",
      assignments: [{ unit: { code: district }, from: "2020-04-01", to: null }],
    });
  });

  it("refuses a corrected hiring date that falls after the officer's first transfer", async () => {
    const [from, to] = [await createDistrict(admin), await createDistrict(admin)];
    const officer = await createOfficer(admin, { unitCode: from, hiredAt: "2019-08-01" });
    ok(
      await admin.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: to, effectiveFrom: "2022-01-10" },
      }),
    );
    const row = rosterRow({ badgeNumber: officer.badgeNumber, unitCode: to });

    const { importOfficers } = ok(await importRoster([{ ...row, hiredAt: "2022-01-10" }]));

    expect(
      importOfficers.errors.map((e: { row: number; field: string }) => [e.row, e.field]),
    ).toEqual([[1, "hiredAt"]]);
    expect(
      ok(await importRoster([{ ...row, hiredAt: "2022-01-09" }])).importOfficers.errors,
    ).toEqual([]);
    expect((await readOfficer(admin, officer.badgeNumber)).assignments).toEqual([
      { unit: { code: from }, from: "2022-01-09", to: "2022-01-10" },
      { unit: { code: to }, from: "2022-01-10", to: null },
    ]);
  });

  it("refuses a row whose date cannot be read, naming its place in the roster, without echoing it", async () => {
    const roster = [rosterRow(), rosterRow(), rosterRow({ hiredAt: "2019-02-30" })];
    const result = await importRoster(roster);
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.officers.2.hiredAt" });
    expect(JSON.stringify(result.errors)).not.toContain("2019-02-30");
    expect(await officerRows(t.database.db, badgesOf(roster))).toEqual([]);
  });

  it("takes a roster of 1000 rows in one call, with an audit record for each officer", async () => {
    const clerk = await t.newCaller("ADMIN", "Roster clerk");
    const district = await createDistrict(admin);
    const roster = Array.from({ length: 1000 }, () => rosterRow({ unitCode: district }));

    expect(ok(await importRoster(roster, clerk)).importOfficers).toEqual({
      created: 1000,
      updated: 0,
      errors: [],
    });

    expect(await officerRows(t.database.db, badgesOf(roster))).toHaveLength(1000);
    const { officers } = ok(
      await admin.query(
        `query($u: String!) { officers(filter: { unitCode: $u }) { totalCount } }`,
        { u: district },
      ),
    );
    expect(officers.totalCount).toBe(1000);
    const records = await auditRecordsBy(t.database.db, clerk.principalId);
    expect(new Set(records.map((r) => r.entityId)).size).toBe(1000);
    expect(records).toHaveLength(1000);
  });

  it("refuses a roster of 1001 rows and writes nothing", async () => {
    const roster = Array.from({ length: 1001 }, () => rosterRow());
    const result = await importRoster(roster);
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.officers" });
    expect(await officerRows(t.database.db, badgesOf(roster))).toEqual([]);
  });

  it("refuses an empty roster", async () => {
    expect(errorOf(await importRoster([]))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.officers",
    });
  });

  it("lets only administrators import a roster", async () => {
    const row = rosterRow();
    expect(errorOf(await importRoster([row], await t.as("HR")))).toEqual({ code: "FORBIDDEN" });
    expect(errorOf(await importRoster([row], t.public))).toEqual({ code: "UNAUTHENTICATED" });
    expect(await officerRows(t.database.db, [row.badgeNumber])).toEqual([]);
  });

  it("audits each officer created or updated once, by id only, and a refused roster not at all", async () => {
    const clerk = await t.newCaller("ADMIN", "Roster clerk");
    const known = await createOfficer(admin, { fullName: "Yerlan Zhaksybekov" });
    const roster = [
      rosterRow({ fullName: "Saule Nurpeisova" }),
      rosterRow({ badgeNumber: known.badgeNumber, fullName: "Yerlan Zhaksybekov" }),
    ];

    ok(await importRoster([...roster, rosterRow({ rank: "NOT_A_RANK" })], clerk));
    expect(await auditRecordsBy(t.database.db, clerk.principalId)).toEqual([]);

    ok(await importRoster(roster, clerk));
    const created = (await officerRows(t.database.db, [roster[0].badgeNumber]))[0];
    const records = await auditRecordsBy(t.database.db, clerk.principalId);
    expect(records.map((r) => [r.action, r.entity, r.entityId, r.outcome]).sort()).toEqual(
      [
        ["importOfficers", "Officer", created.id, "SUCCESS"],
        ["importOfficers", "Officer", known.id, "SUCCESS"],
      ].sort(),
    );
    const stored = JSON.stringify(await rawAuditRows(t.database.db, [created.id, known.id]));
    expect(stored).not.toContain("Saule");
    expect(stored).not.toContain("Zhaksybekov");
  });
});

describe("importOfficers alongside transfers", () => {
  it("creates each officer once when the same roster is sent twice at once", async () => {
    const roster = [rosterRow(), rosterRow(), rosterRow()];
    const results = await Promise.all([importRoster(roster), importRoster(roster)]);

    for (const result of results) {
      if (result.errors)
        expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.officers" });
      else expect(result.data.importOfficers.errors).toEqual([]);
    }
    expect(results.filter((r) => r.data?.importOfficers?.created === 3)).toHaveLength(1);
    expect(await officerRows(t.database.db, badgesOf(roster))).toHaveLength(3);
  });

  it("keeps one unbroken assignment history when rosters and transfers move the same officer at once", async () => {
    const units = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createDistrict(admin)));
    const officer = await createOfficer(admin, { unitCode: units[0], hiredAt: "2019-08-01" });
    const row = rosterRow({ badgeNumber: officer.badgeNumber });

    const results = await Promise.all(
      units.flatMap((unitCode, i) => [
        importRoster([{ ...row, unitCode }]),
        admin.op("TransferOfficer", {
          input: {
            badgeNumber: officer.badgeNumber,
            unitCode,
            effectiveFrom: daysFromToday(i + 1),
          },
        }),
      ]),
    );

    expect(results.flatMap((r) => r.errors ?? []).map((e) => e.extensions.code)).not.toContain(
      "INTERNAL_SERVER_ERROR",
    );
    const { assignments } = await readOfficer(admin, officer.badgeNumber);
    expect(assignments.filter((a) => a.to === null)).toHaveLength(1);
    for (const [i, a] of assignments.slice(1).entries()) expect(a.from).toBe(assignments[i].to);
  });
});
