import { randomBytes } from "node:crypto";
import { request, type IncomingHttpHeaders } from "node:http";
import { contractOperation } from "./helpers/contract";
import { onPostgres } from "./helpers/database";
import { spawnSenim, startSenim, stopAll, type SenimProcess } from "./helpers/process";
import { createSeparateRoles, type SeparateRoles } from "./helpers/roles";

// Each test starts a real process (seconds on a fresh PGlite directory) and may wait for it to stop.
jest.setTimeout(120_000);
afterAll(stopAll);

interface SlowRequest {
  /** Resolves once the server has read the headers and is waiting for the body (it answered 100 Continue). */
  waiting: Promise<void>;
  sendBody(): void;
  response: Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
}

/**
 * A POST whose body the client holds back: the request is in flight on the server, deterministically,
 * for as long as the test wants.
 */
function slowGraphQLRequest(origin: string, document: string): SlowRequest {
  const body = JSON.stringify({ query: document });
  const { hostname, port } = new URL(origin);
  const req = request({
    host: hostname,
    port,
    path: "/graphql",
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      expect: "100-continue",
    },
  });
  const waiting = new Promise<void>((resolve) => req.once("continue", () => resolve()));
  const response = new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      req.on("error", reject);
      req.once("response", (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.once("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      });
    },
  );
  response.catch(() => {}); // a test that expects the failure awaits it; no other should see it unhandled
  req.flushHeaders();
  return { waiting, sendBody: () => req.end(body), response };
}

describe("a running server process", () => {
  let senim: SenimProcess;
  // Production on PostgreSQL runs as a runtime role of its own, the tables' owner migrating.
  let roles: SeparateRoles | null = null;
  beforeAll(async () => {
    roles = onPostgres ? await createSeparateRoles() : null;
    senim = await startSenim({ NODE_ENV: "production", ...roles?.env });
  });
  afterAll(async () => {
    await senim?.stop();
    await roles?.drop();
  });

  it("reports its start-up in one JSON line, with the database it uses", async () => {
    const started = await senim.waitForLog((line) => typeof line.startupMs === "number");
    expect(started).toMatchObject({
      service: "senim",
      database: onPostgres ? "postgres" : "pglite",
      port: expect.any(Number),
    });
  });

  it("logs every request as a JSON line carrying its request id, and never the variables", async () => {
    const requestId = `process-${randomBytes(8).toString("hex")}`;
    const parentCode = `KZ-PRIVATE-${randomBytes(4).toString("hex").toUpperCase()}`;
    const res = await fetch(`${senim.origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ query: contractOperation("Units"), variables: { parentCode } }),
    });
    expect(res.status).toBe(200);
    await res.text();

    const line = await senim.waitForLog(
      (l) => l.clientRequestId === requestId && l.msg === "request",
    );
    expect(line.requestId).toBe(res.headers.get("x-request-id")); // the server's own, beside the client's
    expect(line).toMatchObject({ method: "POST", route: "graphql", status: 200, service: "senim" });
    const lines = senim.logLines(); // throws on any line that is not JSON
    expect(
      lines.filter((l) => l.msg === "request").every((l) => typeof l.requestId === "string"),
    ).toBe(true);
    expect(senim.stdout()).not.toContain(parentCode);
  });

  it("refuses introspection in production", async () => {
    for (const query of [
      "{ __schema { queryType { name } } }",
      '{ __type(name: "Officer") { name } }',
    ]) {
      const res = await fetch(`${senim.origin}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
      const json = (await res.json()) as {
        data?: unknown;
        errors: { extensions: { code: string } }[];
      };
      expect(res.status).toBe(400);
      expect(json.data).toBeUndefined();
      expect(json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    }
  });
});

describe("shutdown on SIGTERM", () => {
  it("exits 0 when idle, on SIGINT as on SIGTERM, saying it stopped cleanly", async () => {
    const senim = await startSenim();
    try {
      expect((await fetch(`${senim.origin}/healthz`)).status).toBe(200); // leaves a keep-alive connection open
      senim.child.kill("SIGINT");
      expect(await senim.exited).toEqual({ code: 0, signal: null });
      expect(senim.logLines().map((line) => line.msg)).toContain("stopped cleanly");
    } finally {
      await senim.stop();
    }
  });

  it("lets the request in flight finish, then exits 0 saying it stopped cleanly", async () => {
    const senim = await startSenim({ SHUTDOWN_GRACE_MS: "60000" });
    try {
      const slow = slowGraphQLRequest(senim.origin, contractOperation("Units"));
      await slow.waiting;
      senim.child.kill("SIGTERM");
      await senim.waitForLog((line) => line.msg.startsWith("shutting down"));
      slow.sendBody();

      const res = await slow.response;
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).data.units).toEqual(expect.any(Array));
      expect(res.headers.connection).toBe("close");
      expect(await senim.exited).toEqual({ code: 0, signal: null });
      expect(senim.logLines().map((line) => line.msg)).toContain("stopped cleanly");
    } finally {
      await senim.stop();
    }
  });

  it("does not wait past the grace period for a client that never finishes its request", async () => {
    const senim = await startSenim({ SHUTDOWN_GRACE_MS: "1000" });
    try {
      const stuck = slowGraphQLRequest(senim.origin, contractOperation("Units"));
      await stuck.waiting;
      senim.child.kill("SIGTERM");

      expect(await senim.exited).toEqual({ code: 0, signal: null });
      await expect(stuck.response).rejects.toThrow();
      expect(senim.logLines().map((line) => line.msg)).toContain("stopped cleanly");
    } finally {
      await senim.stop();
    }
  });
});

describe("bad configuration", () => {
  it("exits 1 naming PORT when it is not a number", async () => {
    const senim = spawnSenim({ PORT: "abc" });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      expect(senim.stderr()).toMatch(/PORT must be a whole number/);
    } finally {
      await senim.stop();
    }
  });

  it("exits 1 naming DATABASE_URL when it is not PostgreSQL, without printing the URL", async () => {
    const senim = spawnSenim({
      PORT: "4000",
      DATABASE_URL: "mysql://senim:hunter2@127.0.0.1/senim",
    });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      expect(senim.stderr()).toMatch(/DATABASE_URL must start with postgres:\/\//);
      expect(senim.stderr()).not.toContain("hunter2");
    } finally {
      await senim.stop();
    }
  });

  it("refuses to start in production without encryption keys, and names ENCRYPTION_KEYS", async () => {
    const senim = spawnSenim({ NODE_ENV: "production", ENCRYPTION_KEYS: "" });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      expect(senim.stderr()).toMatch(/ENCRYPTION_KEYS is required in production/);
    } finally {
      await senim.stop();
    }
  });

  it("refuses to start in production without an audit key, and names AUDIT_KEY", async () => {
    const senim = spawnSenim({ NODE_ENV: "production", AUDIT_KEY: "" });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      expect(senim.stderr()).toMatch(/AUDIT_KEY is required in production/);
    } finally {
      await senim.stop();
    }
  });

  it("refuses a malformed key ring without printing the key material", async () => {
    const senim = spawnSenim({ ENCRYPTION_KEYS: "main:c2hvcnQ=" });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      expect(senim.stderr()).toMatch(/ENCRYPTION_KEYS: encryption key "main" must be 32 bytes/);
      expect(senim.stderr()).not.toContain("c2hvcnQ=");
    } finally {
      await senim.stop();
    }
  });

  it("lists every wrong variable at once", async () => {
    const senim = spawnSenim({
      PORT: "70000",
      LOG_LEVEL: "loud",
      TIME_ZONE: "Mars/Olympus",
      BODY_LIMIT_BYTES: "1e6",
    });
    try {
      expect(await senim.exited).toEqual({ code: 1, signal: null });
      for (const name of ["PORT", "LOG_LEVEL", "TIME_ZONE", "BODY_LIMIT_BYTES"])
        expect(senim.stderr()).toContain(name);
      expect(senim.stdout()).toBe("");
    } finally {
      await senim.stop();
    }
  });
});
