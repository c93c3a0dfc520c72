import { randomInt, randomUUID } from "node:crypto";
import { request } from "node:http";
import { eq, like } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { idempotencyKeys, rateLimitWindows } from "../src/db/schema";
import { IDEMPOTENCY_TTL_MS } from "../src/modules/intake/idempotency.service";
import { auditRowsOfRequest } from "./helpers/audit";
import { complaintInput, submitComplaint } from "./helpers/complaints";
import { contractOperation } from "./helpers/contract";
import { asFixture, onPostgres } from "./helpers/database";
import { idempotencyRow } from "./helpers/intake";
import { startSenim, stopAll } from "./helpers/process";
import {
  errorOf,
  ok,
  startTestServer,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

jest.setTimeout(120_000);

interface Reply extends GraphQLResult {
  retryAfter: string | undefined;
  /** The server's id for the request, under which it audits. */
  requestId: string;
}

/** Any address in 127/8 reaches a loopback server on Linux: each test gets clients of its own. */
const loopback = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const hex = () => randomInt(0, 0x10000).toString(16);
/** A client address as a proxy would forward it: a random /64 of the IPv6 documentation prefix. */
const forwarded = () => `2001:db8:${hex()}:${hex()}::${hex()}`;

interface From {
  /** Source address of the connection. */
  from: string;
  headers?: Record<string, string>;
  token?: string;
}

/** One GraphQL POST from a chosen source address (fetch cannot choose one). */
function send(
  url: string,
  document: string,
  variables: object,
  { from, headers = {}, token }: From,
): Promise<Reply> {
  const body = JSON.stringify({ query: document, variables });
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        path: "/graphql",
        method: "POST",
        localAddress: from,
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          const header = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof header === "string" ? header : undefined,
            requestId: String(res.headers["x-request-id"]),
            ...JSON.parse(text),
          });
        });
      },
    );
    req.on("error", reject).end(body);
  });
}

const op = (url: string, name: string, variables: object, from: From) =>
  send(url, contractOperation(name), variables, from);

const commendationInput = () => ({
  idempotencyKey: randomUUID(),
  channel: "WEB_FORM",
  officer: { description: "officer at the bus station" },
  occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
  narrative: "Found my lost passport and returned it.",
});

const retryAfterOf = (reply: Reply) => reply.errors![0].extensions.retryAfterSeconds as number;

/** Sends until the first refusal (at most `most` calls): how many were let through, and the refusal. */
async function untilRefused(most: number, call: () => Promise<Reply>) {
  let passed = 0;
  for (let i = 0; i < most; i++) {
    const reply = await call();
    if (reply.errors?.[0]?.extensions.code === "RATE_LIMITED") return { passed, refusal: reply };
    passed++;
  }
  return { passed, refusal: null };
}

const LOW = {
  RATE_LIMIT_WINDOW_SECONDS: "600",
  RATE_LIMIT_SUBMIT_COMPLAINT: "3",
  RATE_LIMIT_SUBMIT_COMMENDATION: "2",
  RATE_LIMIT_COMPLAINT_STATUS: "4",
  RATE_LIMIT_SUBMIT_COMPLAINT_FEEDBACK: "2",
  RATE_LIMIT_TRUST_METRICS: "3",
  RATE_LIMIT_ACCESS_ATTEMPTS: "3",
  // An INTAKE token: 3 times an address's limits (9 complaints), per token.
  RATE_LIMIT_INTAKE_MULTIPLIER: "3",
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer(LOW);
});
afterAll(async () => {
  await t.close();
  await stopAll();
});

describe("limits per client address", () => {
  it("refuses the call over the limit with RATE_LIMITED, a sensible retryAfterSeconds and 429, writing nothing", async () => {
    const from = loopback();
    for (let i = 0; i < 3; i++)
      ok(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from }));

    const input = complaintInput();
    const refused = await op(t.url, "SubmitComplaint", { input }, { from });
    expect(errorOf(refused)).toEqual({ code: "RATE_LIMITED" });
    expect(refused.data).toBeNull();
    const seconds = retryAfterOf(refused);
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(600);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe(String(seconds));
    // Neither the complaint (its idempotency claim) nor an audit record was written.
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull();
    expect(await auditRowsOfRequest(t.database.db, refused.requestId)).toEqual([]);
  });

  it("does not count retries of a stored submission: a portal resending one idempotency key is not cut off", async () => {
    const from = loopback();
    const input = complaintInput();
    const first = ok(await op(t.url, "SubmitComplaint", { input }, { from })).submitComplaint;
    for (let i = 0; i < 5; i++)
      expect(ok(await op(t.url, "SubmitComplaint", { input }, { from })).submitComplaint).toEqual(
        first,
      );
    // The retries took none of the address's 3: two more new ones pass, the next is refused.
    for (let i = 0; i < 2; i++)
      ok(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from }));
    expect(
      errorOf(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from })),
    ).toEqual({ code: "RATE_LIMITED" });
  });

  it("counts a key sent again after it expired, which is a new submission, like any other", async () => {
    const from = loopback();
    const input = complaintInput();
    const first = ok(await op(t.url, "SubmitComplaint", { input }, { from })).submitComplaint;
    await asFixture(t.database.db, (tx) =>
      tx
        .update(idempotencyKeys)
        .set({ createdAt: new Date(Date.now() - IDEMPOTENCY_TTL_MS - 60_000) })
        .where(eq(idempotencyKeys.key, input.idempotencyKey)),
    );
    const again = ok(await op(t.url, "SubmitComplaint", { input }, { from })).submitComplaint;
    expect(again.receipt.trackingNumber).not.toBe(first.receipt.trackingNumber);
    // Two of the address's 3 are used: one more new one passes, the next is refused.
    ok(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from }));
    expect(
      errorOf(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from })),
    ).toEqual({ code: "RATE_LIMITED" });
  });

  it("leaves other addresses and other operations alone", async () => {
    const limited = loopback();
    const { passed } = await untilRefused(10, () =>
      op(t.url, "SubmitComplaint", { input: complaintInput() }, { from: limited }),
    );
    expect(passed).toBe(3);

    const other = loopback();
    for (let i = 0; i < 3; i++)
      ok(await op(t.url, "SubmitComplaint", { input: complaintInput() }, { from: other }));
    // The limited address may still send what it has not used up.
    for (let i = 0; i < 2; i++)
      ok(await op(t.url, "SubmitCommendation", { input: commendationInput() }, { from: limited }));
    expect(
      errorOf(
        await op(t.url, "SubmitCommendation", { input: commendationInput() }, { from: limited }),
      ),
    ).toEqual({ code: "RATE_LIMITED" });
  });

  it("counts every aliased call in one request", async () => {
    const { receipt } = await submitComplaint(await t.as("INVESTIGATOR"));
    const from = loopback();
    const call = (alias: string) =>
      `${alias}: complaintStatus(trackingNumber: $n, accessCode: $c) { status }`;
    const status = (aliases: string[]) =>
      send(
        t.url,
        `query($n: String!, $c: String!) { ${aliases.map(call).join(" ")} }`,
        { n: receipt.trackingNumber, c: receipt.accessCode },
        { from },
      );
    expect(Object.keys(ok(await status(["a", "b", "c"])))).toEqual(["a", "b", "c"]);
    ok(await status(["d"]));
    // Three aliases and one call: the address's four are used up.
    expect(errorOf(await status(["e"]))).toEqual({ code: "RATE_LIMITED" });
  });

  it("does not limit staff with a valid token, who register walk-ins and calls", async () => {
    const investigator = await t.newCaller("INVESTIGATOR");
    const from = loopback();
    for (let i = 0; i < 6; i++) {
      ok(
        await op(
          t.url,
          "SubmitComplaint",
          { input: complaintInput({ channel: "IN_PERSON" }) },
          { from, token: investigator.token! },
        ),
      );
    }
    // A token that is not valid is no exemption.
    const { passed } = await untilRefused(10, () =>
      op(
        t.url,
        "SubmitComplaint",
        { input: complaintInput() },
        { from, token: "snm_not-a-real-token" },
      ),
    );
    expect(passed).toBe(3);
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY is set", async () => {
    const from = loopback();
    const { passed, refusal } = await untilRefused(10, () =>
      op(
        t.url,
        "SubmitCommendation",
        { input: commendationInput() },
        { from, headers: { "x-forwarded-for": forwarded() } },
      ),
    );
    expect(passed).toBe(2);
    expect(refusal).not.toBeNull();
  });

  it("counts the refusals in /metrics", async () => {
    const from = loopback();
    await untilRefused(10, () =>
      op(t.url, "SubmitCommendation", { input: commendationInput() }, { from }),
    );
    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(
      /^senim_rate_limit_refusals_total\{operation="submitCommendation",limit="address"\} [1-9]/m,
    );
  });
});

describe("trustMetrics", () => {
  const month = { scope: "MVD", from: "2026-10-01", to: "2026-11-01" };
  const figures = (from: string, token?: string) =>
    op(t.url, "TrustMetrics", month, { from, token });

  it("limits callers without a token per address: past the limit RATE_LIMITED, 429 and when to retry", async () => {
    const from = loopback();
    for (let i = 0; i < 3; i++) ok(await figures(from));
    const refused = await figures(from);
    expect(errorOf(refused)).toEqual({ code: "RATE_LIMITED" });
    expect(refused.data).toBeNull();
    expect(refused.status).toBe(429);
    const seconds = retryAfterOf(refused);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(600);
    expect(refused.retryAfter).toBe(String(seconds));
    // Another address has its own allowance.
    ok(await figures(loopback()));
  });

  it("counts in the server's memory, writing no counter to the database, and counts the series apart", async () => {
    const from = loopback();
    for (let i = 0; i < 3; i++) ok(await figures(from));
    expect(errorOf(await figures(from))).toEqual({ code: "RATE_LIMITED" });
    const counters = await t.database.db
      .select()
      .from(rateLimitWindows)
      .where(like(rateLimitWindows.bucket, "trustMetrics%"));
    expect(counters).toEqual([]);
    const series = { ...month, interval: "MONTH" };
    for (let i = 0; i < 3; i++) ok(await op(t.url, "TrustMetricsSeries", series, { from }));
    expect(errorOf(await op(t.url, "TrustMetricsSeries", series, { from }))).toEqual({
      code: "RATE_LIMITED",
    });
  });

  it("never limits staff, from an address whose anonymous allowance is used up", async () => {
    const from = loopback();
    const { passed } = await untilRefused(10, () => figures(from));
    expect(passed).toBe(3);
    for (const role of ["ANALYST", "HR", "ADMIN", "SUPERVISOR"] as const) {
      const staff = await t.newCaller(role);
      for (let i = 0; i < 5; i++) ok(await figures(from, staff.token!));
    }
  });

  it("counts an INTAKE token on its own, higher limit", async () => {
    const from = loopback();
    const portal = await t.newCaller("INTAKE");
    const { passed, refusal } = await untilRefused(12, () => figures(from, portal.token!));
    expect(passed).toBe(9);
    expect(refusal?.status).toBe(429);
    // The address's own allowance is untouched.
    ok(await figures(from));
  });
});

describe("INTAKE channels", () => {
  /** A citizen's complaint sent by the integration holding `token` (bound to EOTINISH), from `from`. */
  const relay = (token: string, from: string, input = complaintInput({ channel: "EOTINISH" })) =>
    op(t.url, "SubmitComplaint", { input }, { from, token });

  it("counts an INTAKE token on its own, higher limit, not its address's: many citizens from one address", async () => {
    const from = loopback();
    const portal = await t.newCaller("INTAKE", "eOtinish");
    // Nine citizens through one address: three times what an address may send without a token.
    for (let i = 0; i < 9; i++) ok(await relay(portal.token!, from));

    const refused = await relay(portal.token!, from);
    expect(errorOf(refused)).toEqual({ code: "RATE_LIMITED" });
    expect(refused.status).toBe(429);
    const seconds = retryAfterOf(refused);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(600);
    expect(refused.retryAfter).toBe(String(seconds));
    expect(await auditRowsOfRequest(t.database.db, refused.requestId)).toEqual([]);

    // The portal used none of its address's allowance, and another portal there has its own.
    const { passed } = await untilRefused(10, () =>
      op(t.url, "SubmitComplaint", { input: complaintInput() }, { from }),
    );
    expect(passed).toBe(3);
    const other = await t.newCaller("INTAKE", "eOtinish, second instance");
    ok(await relay(other.token!, from));
    // Nor does the portal get more by changing address.
    expect(errorOf(await relay(portal.token!, loopback()))).toEqual({ code: "RATE_LIMITED" });

    const metrics = await (await fetch(new URL("/metrics", t.url))).text();
    expect(metrics).toMatch(
      /^senim_rate_limit_refusals_total\{operation="submitComplaint",limit="token"\} [1-9]/m,
    );
  });

  it("does not count an INTAKE token's retries of a stored submission", async () => {
    const portal = await t.newCaller("INTAKE");
    const from = loopback();
    const input = complaintInput({ channel: "EOTINISH" });
    const first = ok(await relay(portal.token!, from, input)).submitComplaint;
    for (let i = 0; i < 12; i++)
      expect(ok(await relay(portal.token!, from, input)).submitComplaint).toEqual(first);
    const { passed } = await untilRefused(12, () => relay(portal.token!, from));
    expect(passed).toBe(8);
  });

  it("keeps the access-code locks for an INTAKE token: per number and address, and per number", async () => {
    const portal = await t.newCaller("INTAKE");
    const from = loopback();
    const { receipt } = await submitComplaint(await t.as("INVESTIGATOR"));
    const status = (accessCode: string) =>
      op(
        t.url,
        "ComplaintStatus",
        { trackingNumber: receipt.trackingNumber, accessCode },
        { from, token: portal.token! },
      );
    for (let i = 0; i < 3; i++)
      expect(errorOf(await status("0000-0000-0000-0000"))).toEqual({ code: "NOT_FOUND" });
    // Its own, higher call limit (12) is far off: the number's lock for its address refuses.
    expect(errorOf(await status(receipt.accessCode))).toEqual({ code: "RATE_LIMITED" });
    ok(
      await op(
        t.url,
        "ComplaintStatus",
        { trackingNumber: receipt.trackingNumber, accessCode: receipt.accessCode },
        { from: loopback() },
      ),
    );
  });
});

describe("behind a trusted proxy", () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ ...LOW, TRUST_PROXY: "127.0.0.1, 10.0.0.0/8" });
  });
  afterAll(() => proxied.close());

  it("counts per forwarded client when the peer is a trusted proxy", async () => {
    const [first, second] = [forwarded(), forwarded()];
    const fromProxy = (client: string) => ({
      from: "127.0.0.1",
      headers: { "x-forwarded-for": client },
    });
    const firstRun = await untilRefused(10, () =>
      op(proxied.url, "SubmitCommendation", { input: commendationInput() }, fromProxy(first)),
    );
    expect(firstRun.passed).toBe(2);
    ok(
      await op(
        proxied.url,
        "SubmitCommendation",
        { input: commendationInput() },
        fromProxy(second),
      ),
    );
  });

  it("counts an IPv6 client's whole /64 as one client", async () => {
    const network = `2001:db8:${hex()}:${hex()}`;
    const fromProxy = (client: string) => ({
      from: "127.0.0.1",
      headers: { "x-forwarded-for": client },
    });
    ok(
      await op(
        proxied.url,
        "SubmitCommendation",
        { input: commendationInput() },
        fromProxy(`${network}::1`),
      ),
    );
    ok(
      await op(
        proxied.url,
        "SubmitCommendation",
        { input: commendationInput() },
        fromProxy(`${network}:0:0:0:2`),
      ),
    );
    const third = await op(
      proxied.url,
      "SubmitCommendation",
      { input: commendationInput() },
      fromProxy(`${network}:ffff:1:2:3`),
    );
    expect(errorOf(third)).toEqual({ code: "RATE_LIMITED" });
  });

  it("believes only the hops the trusted proxies appended, not what the client wrote before them", async () => {
    const client = forwarded();
    // The client forges a fresh address on the left each time; the proxies (127.0.0.1, then 10.1.2.3) append the real one.
    const { passed } = await untilRefused(10, () =>
      op(
        proxied.url,
        "SubmitCommendation",
        { input: commendationInput() },
        {
          from: "127.0.0.1",
          headers: { "x-forwarded-for": `${forwarded()}, ${client}, 10.1.2.3` },
        },
      ),
    );
    expect(passed).toBe(2);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const from = loopback();
    const { passed } = await untilRefused(10, () =>
      op(
        proxied.url,
        "SubmitCommendation",
        { input: commendationInput() },
        { from, headers: { "x-forwarded-for": forwarded() } },
      ),
    );
    expect(passed).toBe(2);
  });
});

describe("guessing access codes", () => {
  // Only the access-code limits: the per-address ones on the operations would get in their way.
  let g: TestServer;
  beforeAll(async () => {
    g = await startTestServer({
      RATE_LIMIT_ACCESS_ATTEMPTS: "3",
      RATE_LIMIT_ACCESS_ATTEMPTS_PER_NUMBER: "6",
    });
  });
  afterAll(() => g.close());
  /** One attempt from `from` (a fresh address when not given). */
  const status = (trackingNumber: string, accessCode: string, from = loopback()) =>
    op(g.url, "ComplaintStatus", { trackingNumber, accessCode }, { from });
  const wrongCode = "0000-0000-0000-0000";

  it("refuses every attempt from an address after its 3 wrong codes on a number, the right code included, and no one else", async () => {
    const { receipt } = await submitComplaint(await g.as("INVESTIGATOR"));
    const guesser = loopback();
    for (let i = 0; i < 3; i++)
      expect(errorOf(await status(receipt.trackingNumber, wrongCode, guesser))).toEqual({
        code: "NOT_FOUND",
      });

    const right = await status(receipt.trackingNumber, receipt.accessCode, guesser);
    expect(errorOf(right)).toEqual({ code: "RATE_LIMITED" });
    expect(retryAfterOf(right)).toBeGreaterThanOrEqual(1);
    expect(retryAfterOf(right)).toBeLessThanOrEqual(600);
    // Feedback tries the same secret: the same lock.
    const feedback = await op(
      g.url,
      "SubmitComplaintFeedback",
      { input: { trackingNumber: receipt.trackingNumber, accessCode: wrongCode, rating: 1 } },
      { from: guesser },
    );
    expect(errorOf(feedback)).toEqual({ code: "RATE_LIMITED" });
    // The complainant, from anywhere else, still gets in: a stranger cannot lock them out.
    ok(await status(receipt.trackingNumber, receipt.accessCode));
    // Other complaints are not locked, not even for the guesser.
    const other = (await submitComplaint(await g.as("INVESTIGATOR"))).receipt;
    ok(await status(other.trackingNumber, other.accessCode, guesser));
  });

  it("refuses everyone on a number once wrong codes from many addresses reach the number's ceiling", async () => {
    const { receipt } = await submitComplaint(await g.as("INVESTIGATOR"));
    for (let i = 0; i < 6; i++)
      expect(errorOf(await status(receipt.trackingNumber, wrongCode))).toEqual({
        code: "NOT_FOUND",
      });
    expect(errorOf(await status(receipt.trackingNumber, receipt.accessCode))).toEqual({
      code: "RATE_LIMITED",
    });
  });

  it("does not count a right code as a failure", async () => {
    const { receipt } = await submitComplaint(await g.as("INVESTIGATOR"));
    const from = loopback();
    for (let i = 0; i < 6; i++) ok(await status(receipt.trackingNumber, receipt.accessCode, from));
    for (let i = 0; i < 2; i++)
      expect(errorOf(await status(receipt.trackingNumber, wrongCode, from))).toEqual({
        code: "NOT_FOUND",
      });
    ok(await status(receipt.trackingNumber, receipt.accessCode, from));
    expect(errorOf(await status(receipt.trackingNumber, wrongCode, from))).toEqual({
      code: "NOT_FOUND",
    });
    expect(errorOf(await status(receipt.trackingNumber, receipt.accessCode, from))).toEqual({
      code: "RATE_LIMITED",
    });
  });

  it("locks an unknown tracking number exactly like a known one, so the lock tells nothing", async () => {
    const unknown = `SNM-1999-${randomInt(100000, 999999)}`;
    const from = loopback();
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(errorOf(await status(unknown, wrongCode, from)).code);
    expect(codes).toEqual(["NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "RATE_LIMITED"]);
  });

  it("counts wrong codes sent to submitComplaintFeedback, and not a feedback refused for another reason", async () => {
    const { receipt } = await submitComplaint(await g.as("INVESTIGATOR"));
    const from = loopback();
    const feedback = (accessCode: string) =>
      op(
        g.url,
        "SubmitComplaintFeedback",
        { input: { trackingNumber: receipt.trackingNumber, accessCode, rating: 4 } },
        { from },
      );
    // The complaint is still open: INVALID_STATE, with the right code, so not a failure.
    for (let i = 0; i < 4; i++)
      expect(errorOf(await feedback(receipt.accessCode))).toEqual({ code: "INVALID_STATE" });
    for (let i = 0; i < 3; i++)
      expect(errorOf(await feedback(wrongCode))).toEqual({ code: "NOT_FOUND" });
    expect(errorOf(await status(receipt.trackingNumber, receipt.accessCode, from))).toEqual({
      code: "RATE_LIMITED",
    });
  });
});

describe("requests without a token that need one", () => {
  let r: TestServer;
  beforeAll(async () => {
    r = await startTestServer({ RATE_LIMIT_ANONYMOUS_REFUSALS: "3" });
  });
  afterAll(() => r.close());
  const PROTECTED = [
    "me { id }",
    "officers(first: 1) { totalCount }",
    "complaints(first: 1) { totalCount }",
    "commendations(first: 1) { totalCount }",
    "auditTrail(first: 1) { totalCount }",
    "verifyAuditChain { ok }",
    "auditCheckpoint { seq }",
    "earlyWarningRules { code }",
    'officerStandings(unitCode: "MVD", first: 1) { totalCount }',
    'disciplinaryReview(id: "x") { id }',
    'complaint(id: "x") { id }',
  ];
  const many = `query { ranks { code } ${PROTECTED.map((f, i) => `f${i}: ${f}`).join(" ")} }`;

  it("refuses the whole request before execution, with one DENIED record naming every refusal", async () => {
    const reply = await send(r.url, many, {}, { from: loopback() });
    expect(reply.errors?.map((e) => e.extensions.code)).toEqual(["UNAUTHENTICATED"]);
    expect(reply.data ?? null).toBeNull(); // not even the public ranks: nothing ran
    const rows = await auditRowsOfRequest(r.database.db, reply.requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "DENIED", principalId: null });
    expect(rows[0].action.split(",")).toHaveLength(PROTECTED.length);
  });

  it("limits them per address: past the limit RATE_LIMITED, and nothing more in the audit trail", async () => {
    const from = loopback();
    const replies = [];
    for (let i = 0; i < 5; i++)
      replies.push(await send(r.url, "query { me { id } }", {}, { from }));
    expect(replies.map((x) => x.errors?.[0].extensions.code)).toEqual([
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "UNAUTHENTICATED",
      "RATE_LIMITED",
      "RATE_LIMITED",
    ]);
    expect(replies[3].status).toBe(429);
    expect(Number(replies[3].retryAfter)).toBeGreaterThanOrEqual(1);
    const written = await Promise.all(
      replies.map((x) => auditRowsOfRequest(r.database.db, x.requestId)),
    );
    expect(written.map((rows) => rows.length)).toEqual([1, 1, 1, 0, 0]);
    // Another address is not held back, and public operations are not refused at all.
    expect(
      (await send(r.url, "query { me { id } }", {}, { from: loopback() })).errors?.[0].extensions
        .code,
    ).toBe("UNAUTHENTICATED");
    ok(await send(r.url, "query { ranks { code } }", {}, { from }));
  });
});

describe("windows", () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServer({
      RATE_LIMIT_WINDOW_SECONDS: "1",
      RATE_LIMIT_SUBMIT_COMMENDATION: "1",
    });
  });
  afterAll(() => short.close());

  const windowOf = async (bucket: string) =>
    (
      await short.database.db
        .select()
        .from(rateLimitWindows)
        .where(eq(rateLimitWindows.bucket, bucket))
    )[0] ?? null;

  it("lets the client in again once the window has ended, and deletes windows that have ended", async () => {
    const from = loopback();
    const { refusal } = await untilRefused(5, () =>
      op(short.url, "SubmitCommendation", { input: commendationInput() }, { from }),
    );
    expect(refusal).not.toBeNull();
    expect(retryAfterOf(refusal!)).toBe(1);
    expect(await windowOf(`submitCommendation|${from}`)).not.toBeNull();

    await new Promise((resolve) => setTimeout(resolve, retryAfterOf(refusal!) * 1000 + 200));
    const later = loopback();
    ok(await op(short.url, "SubmitCommendation", { input: commendationInput() }, { from: later }));
    // That hit swept the ended windows: the first client's row is gone, the new one is there.
    expect(await windowOf(`submitCommendation|${from}`)).toBeNull();
    expect(await windowOf(`submitCommendation|${later}`)).not.toBeNull();
    ok(await op(short.url, "SubmitCommendation", { input: commendationInput() }, { from }));
  });
});

(onPostgres ? describe : describe.skip)("two server processes on one PostgreSQL", () => {
  it("share one count per client", async () => {
    const env = {
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
      LOG_LEVEL: "warn",
      RATE_LIMIT_SUBMIT_COMMENDATION: "4",
    };
    const [a, b] = await Promise.all([startSenim(env), startSenim(env)]);
    const from = loopback();
    const replies = [];
    for (let i = 0; i < 10; i++) {
      const origin = i % 2 ? b.origin : a.origin;
      replies.push(
        await op(
          `${origin}/graphql`,
          "SubmitCommendation",
          { input: commendationInput() },
          { from },
        ),
      );
    }
    const codes = replies.map((r) => (r.errors ? r.errors[0].extensions.code : "OK"));
    expect(codes).toEqual(["OK", "OK", "OK", "OK", ...Array(6).fill("RATE_LIMITED")]);
  });
});

describe("configuration", () => {
  const production = {
    NODE_ENV: "production",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
    AUDIT_KEY: process.env.AUDIT_KEY!,
  };

  it("limits by default outside tests, and trusts no proxy", () => {
    const config = loadConfig(production);
    expect(config.rateLimits).toEqual({
      windowSeconds: 600,
      perAddress: {
        submitComplaint: 20,
        submitCommendation: 20,
        complaintStatus: 60,
        submitComplaintFeedback: 20,
        trustMetrics: 600,
        trustMetricsSeries: 600,
      },
      perIntakeToken: {
        submitComplaint: 1000,
        submitCommendation: 1000,
        complaintStatus: 3000,
        submitComplaintFeedback: 1000,
        trustMetrics: 30_000,
        trustMetricsSeries: 30_000,
      },
      accessAttempts: 10,
      accessAttemptsPerNumber: 100,
      anonymousRefusals: 60,
    });
    expect(config.trustedProxies).toBeNull();
    expect(loadConfig({ ...production, TRUST_PROXY: "off" }).trustedProxies).toBeNull();
  });

  it("names every bad limit and proxy entry at once", () => {
    const bad = {
      ...production,
      RATE_LIMIT_WINDOW_SECONDS: "0",
      RATE_LIMIT_SUBMIT_COMPLAINT: "-1",
      RATE_LIMIT_ACCESS_ATTEMPTS: "ten",
      RATE_LIMIT_INTAKE_MULTIPLIER: "0",
      TRUST_PROXY: "10.0.0.0/33, proxy.internal",
    };
    expect(() => loadConfig(bad)).toThrow(
      /RATE_LIMIT_WINDOW_SECONDS[\s\S]*RATE_LIMIT_SUBMIT_COMPLAINT[\s\S]*RATE_LIMIT_ACCESS_ATTEMPTS[\s\S]*RATE_LIMIT_INTAKE_MULTIPLIER[\s\S]*TRUST_PROXY/,
    );
    // The multiplier scales every per-address limit, and an address's "off" stays off.
    const scaled = loadConfig({
      ...production,
      RATE_LIMIT_INTAKE_MULTIPLIER: "10",
      RATE_LIMIT_COMPLAINT_STATUS: "0",
    }).rateLimits.perIntakeToken;
    expect(scaled).toEqual({
      submitComplaint: 200,
      submitCommendation: 200,
      complaintStatus: 0,
      submitComplaintFeedback: 200,
      trustMetrics: 6000,
      trustMetricsSeries: 6000,
    });
    expect(() => loadConfig({ ...production, TRUST_PROXY: "proxy.internal" })).toThrow(
      /TRUST_PROXY: "proxy.internal" is not an IP address/,
    );
  });
});
