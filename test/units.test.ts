import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";
import { unitInput } from "./helpers/factories";
import { onPostgres } from "./helpers/database";

const REGIONS = [
  "KZ-AST",
  "KZ-ALA",
  "KZ-SHY",
  "KZ-ABA",
  "KZ-AKM",
  "KZ-AKT",
  "KZ-ALM",
  "KZ-ATY",
  "KZ-VOS",
  "KZ-ZHA",
  "KZ-ZHE",
  "KZ-ZAP",
  "KZ-KAR",
  "KZ-KUS",
  "KZ-KZY",
  "KZ-MAN",
  "KZ-PAV",
  "KZ-SEV",
  "KZ-TUR",
  "KZ-ULY",
];

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

describe("units", () => {
  it("lists the ministry's 20 regional departments to anyone, without a token", async () => {
    const { units } = ok(await t.public.op("Units"));
    const codes = units.map((u: { code: string }) => u.code);
    // On the shared PostgreSQL other test files add regions of their own; on PGlite the database is this file's.
    if (onPostgres) expect(codes).toEqual(expect.arrayContaining(REGIONS));
    else expect(codes.sort()).toEqual([...REGIONS].sort());
    expect(units.every((u: { kind: string }) => u.kind === "REGION")).toBe(true);
  });

  it("creates a district under a region, and lists it among the region's children", async () => {
    const admin = await t.as("ADMIN");
    const input = unitInput({ parentCode: "KZ-AST", name: "Esil district police" });
    const { createUnit } = ok(await admin.op("CreateUnit", { input }));
    expect(createUnit.unit).toMatchObject({
      code: input.code,
      name: "Esil district police",
      kind: "DISTRICT",
      parent: { code: "KZ-AST" },
    });
    const { units } = ok(await t.public.op("Units", { parentCode: "KZ-AST" }));
    expect(units.map((u: { code: string }) => u.code)).toContain(input.code);
  });

  it("walks the tree through parent and children", async () => {
    const admin = await t.as("ADMIN");
    const input = unitInput({ parentCode: "KZ-KAR" });
    ok(await admin.op("CreateUnit", { input }));
    const { units } = ok(
      await t.public.query(
        `query($p: String) { units(parentCode: $p) { code parent { code parent { code parent { code } } } children { code } } }`,
        { p: "KZ-KAR" },
      ),
    );
    const district = units.find((u: { code: string }) => u.code === input.code);
    expect(district).toEqual({
      code: input.code,
      parent: { code: "KZ-KAR", parent: { code: "MVD", parent: null } },
      children: [],
    });
  });

  it("refuses a duplicate code, an unknown parent, a malformed code and a child of a district", async () => {
    const admin = await t.as("ADMIN");
    const first = unitInput();
    ok(await admin.op("CreateUnit", { input: first }));
    expect(errorOf(await admin.op("CreateUnit", { input: { ...first, name: "Another" } }))).toEqual(
      { code: "BAD_USER_INPUT", field: "input.code" },
    );
    expect(
      errorOf(await admin.op("CreateUnit", { input: unitInput({ parentCode: "KZ-NOPE" }) })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.parentCode" });
    expect(
      errorOf(await admin.op("CreateUnit", { input: unitInput({ code: "bad code; drop" }) })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.code" });
    expect(
      errorOf(await admin.op("CreateUnit", { input: unitInput({ name: "x".repeat(201) }) })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.name" });
    expect(
      errorOf(await admin.op("CreateUnit", { input: unitInput({ parentCode: first.code }) })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.parentCode" });
  });

  it("gives NOT_FOUND for the children of an unknown unit", async () => {
    expect(errorOf(await t.public.op("Units", { parentCode: "KZ-NOWHERE" }))).toEqual({
      code: "NOT_FOUND",
    });
  });
});
