import { contractOperation } from "./helpers/contract";
import { startTestServer, type GraphQLResult, type TestServer } from "./helpers/server";
import { CLIENT_CODES } from "../src/errors";

/** A stack frame, a stacktrace extension or a statement. */
const LEAKS = [
  /stacktrace/i,
  /\.(js|ts):\d+/,
  /\bat [\w.<>]+ \(/,
  /Failed query/i,
  /\bselect\b[\s\S]*\bfrom\b/i,
];

interface Reply {
  status: number;
  contentType: string;
  text: string;
  json: GraphQLResult | null;
}

async function post(
  server: TestServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return read(res);
}

async function read(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: GraphQLResult | null = null;
  try {
    json = { status: res.status, ...JSON.parse(text) };
  } catch {}
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text, json };
}

const INTROSPECTION = [
  "{ __schema { types { name } } }",
  '{ __type(name: "Complaint") { fields { name } } }',
  "query { ...Schema } fragment Schema on Query { __schema { queryType { name } } }",
];

/** Misspellings graphql-js would answer with "Did you mean ...?". */
const MISSPELT = [
  "{ unitz { code } }",
  "{ units { cod } }",
  '{ units(parentCod: "KZ-AST") { code } }',
  "query($p: Strin) { units(parentCode: $p) { code } }",
  "{ units { code nam } }",
  "mutation { submitComplain(input: {}) { receipt { trackingNumber } } }",
];

let production: TestServer;
let development: TestServer;
beforeAll(async () => {
  [production, development] = await Promise.all([
    startTestServer({ NODE_ENV: "production" }),
    startTestServer({ NODE_ENV: "development" }),
  ]);
});
afterAll(() => Promise.all([production.close(), development.close()]));

describe("NODE_ENV=production", () => {
  it("refuses introspection, which development allows", async () => {
    for (const query of INTROSPECTION) {
      const refused = await post(production, { query });
      expect({ query, code: refused.json?.errors?.[0]?.extensions.code }).toEqual({
        query,
        code: "GRAPHQL_VALIDATION_FAILED",
      });
      expect(refused.json?.data).toBeUndefined();
      const allowed = await post(development, { query });
      expect({ query, errors: allowed.json?.errors }).toEqual({ query, errors: undefined });
    }
    // __typename is not introspection.
    expect((await post(production, { query: "{ __typename }" })).json?.data).toEqual({
      __typename: "Query",
    });
  });

  it("serves no landing page, which development does", async () => {
    const page = (server: TestServer) =>
      fetch(server.url, { headers: { accept: "text/html" } }).then(read);
    const dev = await page(development);
    expect(dev.status).toBe(200);
    expect(dev.contentType).toMatch(/^text\/html/);

    const prod = await page(production);
    expect(prod.contentType).not.toMatch(/html/);
    expect(prod.text).not.toMatch(/<html|<script/i);
    expect(prod.status).toBe(400);
  });

  it("suggests no field, argument or type names, which development does", async () => {
    for (const query of MISSPELT) {
      const prod = await post(production, { query });
      expect({ query, code: prod.json?.errors?.[0]?.extensions.code }).toEqual({
        query,
        code: "GRAPHQL_VALIDATION_FAILED",
      });
      expect({ query, text: prod.text }).not.toEqual({
        query,
        text: expect.stringMatching(/did you mean/i),
      });
      const dev = await post(development, { query });
      expect({ query, text: dev.text }).toEqual({
        query,
        text: expect.stringMatching(/did you mean/i),
      });
    }
  });

  it("names no enum value or input field in a bad variable's error", async () => {
    const admin = await production.as("ADMIN");
    const role = await admin.op("IssueApiToken", { input: { role: "ADMN", name: "Typo" } });
    const field = await admin.op("IssueApiToken", { input: { role: "ADMIN", nme: "Typo" } });
    for (const result of [role, field]) {
      expect(result.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
      expect(JSON.stringify(result)).not.toMatch(/did you mean|"ADMIN"|"name"/i);
    }
  });

  it("answers every malformed request with a code from the closed set, no stack trace and no SQL", async () => {
    const admin = await production.as("ADMIN");
    const replies = [
      await post(production, "{"),
      await post(production, "[]"),
      await post(production, [{ query: "{ __typename }" }]),
      await post(production, { query: 42 }),
      await post(production, { query: "{ units { code }" }),
      await post(production, { query: "{ complaints { totalCount } }" }),
      await post(
        production,
        { query: "{ complaints { totalCount } }" },
        { authorization: "Bearer snm_wrong" },
      ),
      await post(
        production,
        { query: contractOperation("CaseQueue"), variables: {} },
        { authorization: `Bearer ${admin.token}` },
      ),
      await post(production, {
        query: contractOperation("ComplaintStatus"),
        variables: { trackingNumber: "SNM-1999-000001", accessCode: "X" },
      }),
      await post(production, { query: contractOperation("Units"), variables: { parentCode: 5 } }),
      await post(production, { query: "query A { __typename } query B { __typename }" }),
      await post(production, { query: "{ __typename }", operationName: "Nope" }),
      await post(production, {
        extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } },
      }),
      await post(production, {
        query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: ranks { code }`).join(" ")} }`,
      }),
      await fetch(`${production.url}?query=%7B__typename%7D`).then(read),
    ];
    for (const reply of replies) {
      expect(reply.status).toBeLessThan(500);
      expect(reply.json?.errors?.length).toBeGreaterThan(0);
      for (const error of reply.json!.errors!) {
        expect({ text: reply.text, code: CLIENT_CODES.has(error.extensions.code) }).toEqual({
          text: reply.text,
          code: true,
        });
        expect(error.extensions.stacktrace).toBeUndefined();
      }
      for (const leak of LEAKS) expect(reply.text).not.toMatch(leak);
    }
  });
});

describe("NODE_ENV=production, when something unexpected fails", () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startTestServer({ NODE_ENV: "production" });
    await broken.database.close();
  });
  afterAll(() => broken.server.close());

  it("masks the failure as INTERNAL_SERVER_ERROR with a plain message and no stack trace", async () => {
    const reply = await post(broken, {
      query: contractOperation("Units"),
      variables: { parentCode: "KZ-AST" },
    });
    expect(reply.json?.errors).toEqual([
      expect.objectContaining({
        message: "Internal server error",
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      }),
    ]);
    for (const leak of LEAKS) expect(reply.text).not.toMatch(leak);
  });
});
