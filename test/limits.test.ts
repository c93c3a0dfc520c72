import "reflect-metadata";
import { sql } from "drizzle-orm";
import { rows } from "../src/db/client";
import { LIMITS } from "../src/graphql/limits";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";
import { unique } from "./helpers/factories";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const tooComplex = (result: Awaited<ReturnType<TestServer["public"]["query"]>>) => {
  expect(errorOf(result)).toEqual({ code: "QUERY_TOO_COMPLEX" });
  expect(result.status).toBe(400);
  // The limits are never disclosed.
  expect(JSON.stringify(result.errors)).not.toMatch(/\d/);
  expect(result.data ?? null).toBeNull();
};

describe("limits on what one request may ask", () => {
  it("refuses nesting deeper than the limit", async () => {
    let selection = "code";
    for (let i = 0; i < LIMITS.depth; i++) selection = `children { ${selection} }`;
    tooComplex(await t.public.query(`{ units { ${selection} } }`));
    ok(await t.public.query(`{ units { children { children { code } } } }`));
  });

  it("refuses an alias flood, and executes none of it", async () => {
    const admin = await t.as("ADMIN");
    const codes = Array.from({ length: LIMITS.aliases + 1 }, () => unique("AL"));
    const mutation = `mutation { ${codes.map((c, i) => `a${i}: createUnit(input: { code: "${c}", name: "Alias flood", parentCode: "KZ-AST" }) { unit { id } }`).join(" ")} }`;
    tooComplex(await admin.query(mutation));
    const created = await rows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from units where code = any(${sql`array[${sql.join(
        codes.map((c) => sql`${c}`),
        sql`, `,
      )}]`})`,
    );
    expect(created[0].n).toBe(0);
  });

  it("refuses too many directives", async () => {
    // Two directives on each of six fields: twelve in all, none repeated on a field.
    const twice = (field: string) => `${field} @include(if: true) @skip(if: false)`;
    const selection = ["code", "name", "kind"].map(twice).join(" ");
    expect(12).toBeGreaterThan(LIMITS.directives);
    tooComplex(await t.public.query(`{ units { ${selection} children { ${selection} } } }`));
  });

  it("refuses a document with too many tokens before parsing it all", async () => {
    const fields = Array.from({ length: LIMITS.tokens }, () => "code").join(" ");
    tooComplex(await t.public.query(`{ units { ${fields} } }`));
  });

  it("prices connections by their page size: pages of pages are refused, one page of pages is fine", async () => {
    const investigator = await t.as("INVESTIGATOR");
    const pages = (outer: number, inner: number) =>
      `{ officers(first: ${outer}) { edges { node { badgeNumber allegations(first: ${inner}) { edges { node { id category finding description complaint { id trackingNumber status } } } } } } } }`;
    tooComplex(await investigator.query(pages(100, 100)));
    ok(await investigator.query(pages(100, 5)));
  });

  it("prices the same document anew when a page-size variable or an @include condition changes", async () => {
    const investigator = await t.as("INVESTIGATOR");
    // One document text: the server parses it once and prices each set of shaping variables separately.
    const document = `query Pages($outer: Int, $inner: Int, $deep: Boolean!, $unitCode: String) {
      officers(first: $outer, filter: { unitCode: $unitCode }) { edges { node { badgeNumber
        allegations(first: $inner) @include(if: $deep) { edges { node { id category complaint { id trackingNumber } } } } } } } }`;
    const send = (variables: Record<string, unknown>) => investigator.query(document, variables);
    ok(await send({ outer: 100, inner: 5, deep: true }));
    tooComplex(await send({ outer: 100, inner: 100, deep: true }));
    ok(await send({ outer: 100, inner: 100, deep: false }));
    tooComplex(await send({ outer: 100, inner: 100, deep: true, unitCode: "KZ-AST" }));
    ok(await send({ outer: 100, inner: 5, deep: true, unitCode: "KZ-AST" }));
  });

  it("prices trustMetrics children by the number of child units: an alias flood of two-level national figures is refused", async () => {
    const national = (aliases: number, selection: string) =>
      `{ ${Array.from(
        { length: aliases },
        (_, i) =>
          `a${i}: trustMetrics(unitCode: "MVD", from: "2016-01-01", to: "2026-01-01") { ${selection} }`,
      ).join(" ")} }`;
    const figures = "complaintsReceived sustainRate suppressedFields";
    const oneLevel = `${figures} children { unit { code } ${figures} }`;
    const twoLevels = `${figures} children { unit { code } ${figures} children { unit { code } ${figures} } }`;
    const analyst = await t.as("ANALYST");
    tooComplex(await analyst.query(national(LIMITS.aliases, twoLevels)));
    tooComplex(await t.public.query(national(LIMITS.aliases, twoLevels)));
    // The same aliases without children, or with one level, and one two-level request, are fine.
    ok(await analyst.query(national(LIMITS.aliases, figures)));
    ok(await analyst.query(national(LIMITS.aliases, oneLevel)));
    ok(await analyst.query(national(1, twoLevels)));
  });

  it("lets the contract's TrustMetrics through, with its one level of children", async () => {
    ok(await t.public.op("TrustMetrics", { scope: "MVD", from: "2026-01-01", to: "2027-01-01" }));
    const analyst = await t.as("ANALYST");
    ok(await analyst.op("TrustMetrics", { scope: "MVD", from: "2016-01-01", to: "2026-01-01" }));
  });

  it("lets the largest contract page through (UnitRoster at 100 officers)", async () => {
    const investigator = await t.as("INVESTIGATOR");
    ok(await investigator.op("UnitRoster", { unitCode: "KZ-AST", first: 100 }));
  });
});
