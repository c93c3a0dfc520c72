import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { contractOperation } from "./helpers/contract";
import { auditRowsOfRequest } from "./helpers/audit";
import { unique, unitInput } from "./helpers/factories";
import { startLoggedServer, type LoggedServer } from "./helpers/logged-server";
import { startSenim } from "./helpers/process";
import {
  errorOf,
  ok,
  startTestServer,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

/** What a client sees of one HTTP exchange. */
interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: GraphQLResult & Record<string, unknown>;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: Reply["json"];
  try {
    json = JSON.parse(text);
  } catch {
    json = { status: res.status };
  }
  return { status: res.status, headers: res.headers, text, json };
}

const JSON_TYPE = { "content-type": "application/json" };

/** A stack frame, a stacktrace extension or a statement: none of these may reach a client. */
const LEAKS = [
  /stacktrace/i,
  /\.(js|ts):\d+/,
  /\bat [\w.<>]+ \(/,
  /Failed query/i,
  /\bselect\b[\s\S]*\bfrom\b/i,
  /\binsert into\b/i,
  /\bparams:/i,
];

function expectNoLeak(text: string) {
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
}

/** A request body the size of the biggest legitimate one: 1000 roster rows with 200-letter Cyrillic names. */
function rosterOf1000() {
  const prefix = unique("IMP");
  const officers = Array.from({ length: 1000 }, (_, i) => ({
    badgeNumber: `${prefix}-${String(i).padStart(4, "0")}`,
    fullName: "Нурлан Бекович Сагындыков".padEnd(200, "а"),
    rank: "SENIOR_LIEUTENANT",
    unitCode: "KZ-AST",
    hiredAt: "2019-08-01",
  }));
  return { officers };
}

let t: TestServer;
let origin: string;
const get = async (path: string, headers: Record<string, string> = {}, base = origin) =>
  reply(await fetch(base + path, { headers }));
const post = async (body: string, headers: Record<string, string> = JSON_TYPE, base = origin) =>
  reply(await fetch(`${base}/graphql`, { method: "POST", headers, body }));
const graphqlGet = (
  query: string,
  variables: object | undefined,
  headers: Record<string, string>,
  token?: string,
) => {
  const search = new URLSearchParams({
    query,
    ...(variables ? { variables: JSON.stringify(variables) } : {}),
  });
  return get(`/graphql?${search}`, {
    ...headers,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
};

beforeAll(async () => {
  t = await startTestServer();
  origin = new URL(t.url).origin;
});
afterAll(() => t.close());

describe("health, readiness and metrics", () => {
  it("answers /healthz with 200 while the process runs", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });

  it("answers /readyz with 200 while the database answers", async () => {
    const res = await get("/readyz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ready" });
  });

  it("exposes Prometheus metrics with request durations by route and status", async () => {
    expect((await get("/healthz")).status).toBe(200);
    const res = await get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(res.text).toContain("# TYPE senim_http_request_duration_seconds histogram");
    expect(res.text).toMatch(
      /^senim_http_request_duration_seconds_count\{route="healthz",status="200"\} [1-9]/m,
    );
  });

  it("serves /metrics only on METRICS_PORT when that is set, so the API's port need not expose it", async () => {
    const logged = await startLoggedServer({ METRICS_PORT: "0" });
    try {
      const onApi = await fetch(`${logged.origin}/metrics`);
      expect(onApi.status).toBe(404);
      const port = logged.server.metricsPort();
      expect(port).toEqual(expect.any(Number));
      const onMetrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(onMetrics.status).toBe(200);
      expect(await onMetrics.text()).toContain(
        "# TYPE senim_http_request_duration_seconds histogram",
      );
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      await logged.server.close();
      await logged.database.close();
    }
  });

  it("warns once when X-Forwarded-For arrives while TRUST_PROXY is off", async () => {
    const logged = await startLoggedServer();
    try {
      for (let i = 0; i < 3; i++)
        await fetch(`${logged.origin}/healthz`, { headers: { "x-forwarded-for": "203.0.113.7" } });
      const warnings = logged.lines.filter((l) => /X-Forwarded-For/.test(String(l.msg)));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].level).toBe(40);
      expect(logged.text()).not.toContain("203.0.113.7");
    } finally {
      await logged.server.close();
      await logged.database.close();
    }
  });

  it("times GraphQL operations by name and outcome, and shows the database pool on PostgreSQL", async () => {
    ok(await t.public.query(`query MetricsProbe { units { code } }`));
    await t.public.query(`query MetricsProbeRefused { complaints(first: 1) { totalCount } }`);
    const res = await get("/metrics");
    expect(res.text).toMatch(
      /^senim_graphql_operation_duration_seconds_count\{operation="MetricsProbe",outcome="OK"\} [1-9]/m,
    );
    expect(res.text).toMatch(
      /^senim_graphql_operation_duration_seconds_count\{operation="MetricsProbeRefused",outcome="UNAUTHENTICATED"\} [1-9]/m,
    );
    if (process.env.DATABASE_URL)
      expect(res.text).toMatch(/^senim_db_pool_connections\{state="total"\} \d+/m);
  });

  it("answers unknown paths with 404, odd ones included", async () => {
    for (const path of ["/nope", "/graphql/extra", "/graphqlx?query={__typename}"]) {
      const res = await get(path);
      expect(res.status).toBe(404);
    }
    // A raw request target that `new URL` cannot parse.
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(origin);
      request({ host: hostname, port, path: "//" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(404);
  });
});

describe("when the database is gone", () => {
  let gone: TestServer;
  let goneOrigin: string;
  let adminToken: string;
  beforeAll(async () => {
    gone = await startTestServer();
    goneOrigin = new URL(gone.url).origin;
    adminToken = (await gone.as("ADMIN")).token!;
    await gone.database.close();
  });
  afterAll(() => gone.server.close());

  it("says it is not ready, while still alive", async () => {
    const ready = await get("/readyz", {}, goneOrigin);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: "unavailable" });
    expect((await get("/healthz", {}, goneOrigin)).status).toBe(200);
  });

  it("answers queries with a masked INTERNAL_SERVER_ERROR, with or without a token", async () => {
    const query = JSON.stringify({
      query: contractOperation("Units"),
      variables: { parentCode: "KZ-AST" },
    });
    const anonymous = await post(query, JSON_TYPE, goneOrigin);
    const withToken = await post(
      query,
      { ...JSON_TYPE, authorization: `Bearer ${adminToken}` },
      goneOrigin,
    );
    for (const res of [anonymous, withToken]) {
      expect(errorOf(res.json)).toEqual({ code: "INTERNAL_SERVER_ERROR" });
      expect(res.json.errors![0].message).toBe("Internal server error");
      expectNoLeak(res.text);
    }
  });
});

describe("what reaches the log", () => {
  let logged: LoggedServer;
  beforeAll(async () => {
    logged = await startLoggedServer();
    await logged.database.close();
  });
  afterAll(() => logged.server.close());

  it("logs an unexpected failure with the request id and the SQL, but not the values bound to it", async () => {
    const requestId = `log-test-${randomBytes(6).toString("hex")}`;
    const parentCode = `KZ-PRIVATE-${randomBytes(4).toString("hex").toUpperCase()}`;
    const res = await post(
      JSON.stringify({ query: contractOperation("Units"), variables: { parentCode } }),
      {
        ...JSON_TYPE,
        "x-request-id": requestId,
      },
      logged.origin,
    );
    expect(errorOf(res.json)).toEqual({ code: "INTERNAL_SERVER_ERROR" });

    const failure = logged.lines.find(
      (line) => line.clientRequestId === requestId && line.msg === "unexpected error",
    );
    expect(failure).toBeDefined();
    expect(JSON.stringify(failure)).toMatch(/Failed query: select/i);
    expect(logged.text()).not.toContain(parentCode);
  });

  it("logs a failure while looking up the bearer token, with the request id", async () => {
    const requestId = `log-test-${randomBytes(6).toString("hex")}`;
    const res = await post(
      JSON.stringify({ query: "{ __typename }" }),
      {
        ...JSON_TYPE,
        authorization: "Bearer snm_not-a-real-token",
        "x-request-id": requestId,
      },
      logged.origin,
    );
    expect(res.status).toBe(500);
    expect(errorOf(res.json)).toEqual({ code: "INTERNAL_SERVER_ERROR" });
    expectNoLeak(res.text);
    expect(
      logged.lines.some((line) => line.clientRequestId === requestId && line.level >= 50),
    ).toBe(true);
  });
});

describe("request bodies", () => {
  let small: TestServer;
  let smallOrigin: string;
  beforeAll(async () => {
    small = await startTestServer({ BODY_LIMIT_BYTES: "2048" });
    smallOrigin = new URL(small.url).origin;
  });
  afterAll(() => small.close());

  it("refuses a body over BODY_LIMIT_BYTES with 413, declared or streamed, and keeps serving", async () => {
    const oversized = JSON.stringify({
      query: "{ __typename }",
      variables: { pad: "x".repeat(3000) },
    });
    const declared = await post(oversized, JSON_TYPE, smallOrigin);
    expect(declared.status).toBe(413);
    expect(errorOf(declared.json)).toEqual({ code: "BAD_REQUEST" });

    const chunks = new TextEncoder().encode(oversized);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < chunks.length; at += 500)
          controller.enqueue(chunks.slice(at, at + 500));
        controller.close();
      },
    });
    const streamed = await reply(
      await fetch(small.url, {
        method: "POST",
        headers: JSON_TYPE,
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);

    const after = await post(JSON.stringify({ query: "{ __typename }" }), JSON_TYPE, smallOrigin);
    expect(after.status).toBe(200);
    expect(after.json.data).toEqual({ __typename: "Query" });
  });

  it("answers every oversized body with its 413 while the client is still sending it, never a reset", async () => {
    // A server process of its own: in this process, client and server would share one event loop, and
    // the server would never close the socket ahead of the client's writes as a real one does.
    const senim = await startSenim();
    try {
      const url = `${senim.origin}/graphql`;
      const padded = (bytes: number) =>
        JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(bytes) } });
      const send = (body: string) =>
        fetch(url, { method: "POST", headers: JSON_TYPE, body }).then(reply, (e: unknown) => e);
      // Over the default 2 MiB: before, most 5 MB uploads got EPIPE instead of an answer.
      const bodies = [...Array(8).fill(padded(5_000_000)), ...Array(8).fill(padded(3_000_000))];
      const replies = await Promise.all(bodies.map(send));
      for (const r of replies) {
        expect(r).toMatchObject({ status: 413 });
        const refused = r as Reply;
        expect(refused.headers.get("connection")).toBe("close");
        expect(errorOf(refused.json)).toEqual({ code: "BAD_REQUEST" });
        expect(refused.json.errors![0].message).toMatch(/larger than 2097152 bytes/);
      }
      const after = await reply(
        await fetch(url, {
          method: "POST",
          headers: JSON_TYPE,
          body: JSON.stringify({ query: "{ __typename }" }),
        }),
      );
      expect(after.json.data).toEqual({ __typename: "Query" });
    } finally {
      await senim.stop();
    }
  });

  it("accepts a 1000-row officer import under the default limit", async () => {
    const admin = await t.as("ADMIN");
    const input = rosterOf1000();
    const size = Buffer.byteLength(
      JSON.stringify({ query: contractOperation("ImportOfficers"), variables: { input } }),
    );
    expect(size).toBeGreaterThan(500_000);
    const result = await admin.op("ImportOfficers", { input });
    expect(result.status).toBe(200);
    expect(result.data?.importOfficers).toBeDefined();
  });

  it("refuses a body that is not JSON with 400 BAD_REQUEST", async () => {
    const res = await post('{"query": "{ __typename }"');
    expect(res.status).toBe(400);
    expect(errorOf(res.json)).toEqual({ code: "BAD_REQUEST" });
  });

  it("refuses a batch of operations", async () => {
    const res = await post(
      JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    );
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(errorOf(res.json)).toEqual({ code: "BAD_REQUEST" });
  });

  it("refuses a persisted-query hash that does not match the query as BAD_REQUEST", async () => {
    const res = await post(
      JSON.stringify({
        query: "{ __typename }",
        extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
      }),
    );
    expect(res.status).toBe(400);
    expect(errorOf(res.json)).toEqual({ code: "BAD_REQUEST" });
  });
});

describe("GET requests", () => {
  it("runs a query sent with a preflight header or a JSON content type", async () => {
    for (const headers of [{ "apollo-require-preflight": "true" }, JSON_TYPE]) {
      const res = await graphqlGet(contractOperation("Units"), { parentCode: "KZ-AST" }, headers);
      expect(res.status).toBe(200);
      expect(ok(res.json).units).toEqual(expect.any(Array));
    }
  });

  it("refuses a query without either, as CSRF protection", async () => {
    const res = await graphqlGet("{ __typename }", undefined, {});
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(errorOf(res.json)).toEqual({ code: "BAD_REQUEST" });
  });

  it("refuses a mutation, and writes nothing", async () => {
    const admin = await t.as("ADMIN");
    const input = unitInput({ parentCode: "KZ-AST" });
    const res = await graphqlGet(
      contractOperation("CreateUnit"),
      { input },
      { "apollo-require-preflight": "true" },
      admin.token!,
    );
    expect([400, 405]).toContain(res.status);
    expect(res.json.data).toBeUndefined();
    const { units } = ok(await t.public.op("Units", { parentCode: "KZ-AST" }));
    expect(units.map((u: { code: string }) => u.code)).not.toContain(input.code);
  });
});

describe("request ids", () => {
  it("puts an x-request-id on every response", async () => {
    const replies = [
      await get("/healthz"),
      await get("/readyz"),
      await get("/metrics"),
      await get("/nope"),
      await post(JSON.stringify({ query: "{ __typename }" })),
      await post("not json"),
      await post(JSON.stringify({ query: "{" })),
    ];
    for (const res of replies)
      expect(res.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9._:-]{8,64}$/);
    const ids = replies.map((res) => res.headers.get("x-request-id"));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("answers with its own id whatever the client sends, and audits under it, never under the client's", async () => {
    const mine = `client-${randomBytes(8).toString("hex")}`;
    expect((await get("/healthz", { "x-request-id": mine })).headers.get("x-request-id")).not.toBe(
      mine,
    );
    // Anonymous, so refused: its DENIED audit row is the one to find.
    const refused = await post(
      JSON.stringify({ query: contractOperation("CreateUnit"), variables: { input: unitInput() } }),
      { ...JSON_TYPE, "x-request-id": mine },
    );
    const ours = refused.headers.get("x-request-id")!;
    expect(ours).not.toBe(mine);
    expect(await auditRowsOfRequest(t.database.db, mine)).toEqual([]);
    expect(await auditRowsOfRequest(t.database.db, ours)).toEqual([
      expect.objectContaining({ outcome: "DENIED" }),
    ]);

    for (const malformed of [
      "short",
      "has spaces in it",
      "x".repeat(65),
      "<script>alert(1)</script>",
    ]) {
      const id = (await get("/healthz", { "x-request-id": malformed })).headers.get("x-request-id");
      expect(id).not.toBe(malformed);
      expect(id).toMatch(/^[A-Za-z0-9._:-]{8,64}$/);
    }
  });
});

describe("GraphQL errors", () => {
  it("reports a syntax error as GRAPHQL_PARSE_FAILED", async () => {
    const res = await post(JSON.stringify({ query: "{ units { code }" }));
    expect(res.status).toBe(400);
    expect(errorOf(res.json)).toEqual({ code: "GRAPHQL_PARSE_FAILED" });
  });

  it("reports an unknown field as GRAPHQL_VALIDATION_FAILED", async () => {
    const res = await post(JSON.stringify({ query: "{ units { code salary } }" }));
    expect(res.status).toBe(400);
    expect(errorOf(res.json)).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("reports a variable of the wrong type as BAD_USER_INPUT naming it, without echoing the value", async () => {
    const result = await t.public.op("Units", { parentCode: 12345 });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "parentCode" });
    expect(JSON.stringify(result)).not.toContain("12345");
  });

  it("reports an unknown enum value as BAD_USER_INPUT naming input.role, without echoing the value", async () => {
    const admin = await t.as("ADMIN");
    const result = await admin.op("IssueApiToken", {
      input: { role: "KING", name: "Royal integration" },
    });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.role" });
    expect(JSON.stringify(result)).not.toContain("KING");
  });

  it("reports a malformed nested scalar as BAD_USER_INPUT naming its path, without echoing the value", async () => {
    const admin = await t.as("ADMIN");
    const input = {
      badgeNumber: unique("B"),
      fullName: "Nurlan Bekov",
      rank: "SERGEANT",
      unitCode: "KZ-AST",
      hiredAt: "PRIVATE-1999",
    };
    const result = await admin.op("CreateOfficer", { input });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.hiredAt" });
    expect(JSON.stringify(result)).not.toContain("PRIVATE-1999");
  });

  it("never sends a stack trace or SQL, whatever it is sent", async () => {
    const admin = await t.as("ADMIN");
    const auth = { ...JSON_TYPE, authorization: `Bearer ${admin.token}` };
    const replies = [
      await post("{"),
      await post("[]"),
      await post("null"),
      await post(JSON.stringify({ query: 42 })),
      await post(JSON.stringify({ query: "{ units(parentCode: 5) { code } }" })),
      await post(JSON.stringify({ query: "{ __typename }", variables: "x" })),
      await post(
        JSON.stringify({
          query: "{ __typename }",
          extensions: { persistedQuery: { version: 9, sha256Hash: "x" } },
        }),
      ),
      await post(JSON.stringify({ query: "query A { __typename } query B { __typename }" })),
      await post(
        JSON.stringify({
          query: contractOperation("CreateUnit"),
          variables: { input: unitInput({ code: "x'; drop table units; --" }) },
        }),
        auth,
      ),
      await post(
        JSON.stringify({
          query: contractOperation("CreateOfficer"),
          variables: { input: { nope: 1 } },
        }),
        auth,
      ),
      await post(
        JSON.stringify({ query: contractOperation("Units"), variables: { parentCode: "\u0000" } }),
      ),
      await get("/graphql?query=%7B"),
    ];
    for (const res of replies) {
      expect(res.status).toBeLessThan(500);
      expect(res.json.errors?.length).toBeGreaterThan(0);
      expectNoLeak(res.text);
    }
  });
});
