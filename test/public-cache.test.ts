import { contractOperation } from "./helpers/contract";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * Public figures are shared: an anonymous request for them is answered from memory for as long as a
 * year of figures is kept (PUBLIC_METRICS_REFRESH_SECONDS), with an ETag. Nothing with a token is.
 */

const TRUST_METRICS = contractOperation("TrustMetrics");
const thisMonth = () => {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { from: first.toISOString().slice(0, 10), to: next.toISOString().slice(0, 10) };
};

let t: TestServer;
let live: TestServer;
beforeAll(async () => {
  t = await startTestServer({ PUBLIC_METRICS_REFRESH_SECONDS: "60" });
  // The default for tests: figures built for every request, and nothing shared.
  live = await startTestServer({}, { database: t.database });
});
afterAll(async () => {
  await live.close();
  await t.close();
});

const ask = (server: TestServer, token?: string, extra: Record<string, string> = {}) =>
  fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: JSON.stringify({
      query: TRUST_METRICS,
      variables: { scope: "MVD", ...thisMonth() },
    }),
  });

const regions = async (res: Response) =>
  (
    (await res.json()) as { data: { trustMetrics: { children: { unit: { code: string } }[] } } }
  ).data.trustMetrics.children.map((c) => c.unit.code);

async function newRegion() {
  const code = `KZ-T${Date.now().toString(36).toUpperCase()}`;
  const admin = await t.as("ADMIN");
  const created = await admin.query(
    `mutation($input: CreateUnitInput!) { createUnit(input: $input) { unit { code } } }`,
    { input: { code, name: `Test region ${code}`, parentCode: "MVD" } },
  );
  expect(created.errors).toBeUndefined();
  return code;
}

it("answers a repeated anonymous request from memory, with an ETag, while token holders see every write", async () => {
  const first = await ask(t);
  expect(first.status).toBe(200);
  expect(first.headers.get("cache-control")).toBe("public, max-age=60");
  const etag = first.headers.get("etag");
  expect(etag).toMatch(/^"[\w-]{27}"$/);
  const before = await regions(first);

  const code = await newRegion();
  const again = await ask(t);
  expect(again.headers.get("etag")).toBe(etag);
  expect(await regions(again)).toEqual(before);

  const analyst = await t.as("ANALYST");
  const exact = await ask(t, analyst.token!);
  expect(exact.headers.get("cache-control")).toBe("private, no-store");
  expect(exact.headers.get("etag")).toBeNull();
  expect(await regions(exact)).toContain(code);
  // A server that shares nothing builds the figures for each request.
  const fresh = await ask(live);
  expect(fresh.headers.get("cache-control")).toBe("private, no-store");
  expect(await regions(fresh)).toContain(code);
});

it("answers a GET that names the ETag it has with 304", async () => {
  const search = new URLSearchParams({
    query: TRUST_METRICS,
    operationName: "TrustMetrics",
    variables: JSON.stringify({ scope: "MVD", ...thisMonth() }),
  });
  const get = (headers: Record<string, string>) =>
    fetch(`${t.url}?${search}`, { headers: { "apollo-require-preflight": "true", ...headers } });
  const first = await get({});
  expect(first.status).toBe(200);
  const etag = first.headers.get("etag")!;
  expect(etag).toBeTruthy();
  const revalidated = await get({ "if-none-match": etag });
  expect(revalidated.status).toBe(304);
  expect(await revalidated.text()).toBe("");
  expect((await get({ "if-none-match": '"other"' })).status).toBe(200);
});

it("shares no answer with a token, an error, or anything beside the figures", async () => {
  // HR gets the public's suppressed figures, yet its answers are its own.
  const hr = await ask(t, (await t.as("HR")).token!);
  expect(hr.status).toBe(200);
  expect(hr.headers.get("cache-control")).toBe("private, no-store");
  expect(hr.headers.get("etag")).toBeNull();

  const refused = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `{ trustMetrics(unitCode: "MVD", from: "2025-01-05", to: "2025-02-01") { complaintsReceived } }`,
    }),
  });
  expect(refused.headers.get("cache-control")).toBe("private, no-store");
  expect(refused.headers.get("etag")).toBeNull();

  const mixed = await fetch(t.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `{ units { code } trustMetrics(unitCode: "MVD", from: "2025-01-01", to: "2026-01-01") { complaintsReceived } }`,
    }),
  });
  expect(mixed.status).toBe(200);
  expect(mixed.headers.get("cache-control")).toBe("private, no-store");
});
