import { complaintInput } from "./helpers/complaints";
import { contractOperation } from "./helpers/contract";
import { idempotencyRow } from "./helpers/intake";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * The HTTP rules of issue 6 that test/http.test.ts does not already cover: CSRF on POST, batches
 * and GETs that carry mutations write nothing, the exact body limit, methods other than GET and POST.
 */

interface Reply {
  status: number;
  headers: Headers;
  json: { data?: unknown; errors?: { extensions: { code: string } }[] } | null;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: Reply["json"] = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json };
}

const SUBMIT = contractOperation("SubmitComplaint");

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ BODY_LIMIT_BYTES: "4096" });
});
afterAll(() => t.close());

const post = (body: string, headers: Record<string, string>) =>
  fetch(t.url, { method: "POST", headers, body }).then(reply);

/** A complaint submission as a body, and a check that it was never executed. */
function submission() {
  const input = complaintInput();
  return {
    body: JSON.stringify({ query: SUBMIT, variables: { input } }),
    input,
    notWritten: async () =>
      expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull(),
  };
}

describe("CSRF prevention", () => {
  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])(
    "refuses a POST a cross-site form could send (%s) and executes nothing",
    async (type) => {
      const { body, notWritten } = submission();
      const res = await post(body, { "content-type": type });
      expect(res.status).toBe(400);
      expect(res.json?.data).toBeUndefined();
      expect(res.json?.errors?.[0].extensions.code).toBe("BAD_REQUEST");
      await notWritten();
    },
  );

  it("refuses a POST without a content type", async () => {
    const { body, notWritten } = submission();
    const res = await fetch(t.url, { method: "POST", body: Buffer.from(body) }).then(reply);
    expect(res.status).toBe(400);
    await notWritten();
  });

  it("executes the same submission sent as JSON, so the refusals above are about the request's form", async () => {
    const { body, input } = submission();
    const res = await post(body, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).not.toBeNull();
  });
});

describe("batches", () => {
  it("refuses a batch, even of one operation, and executes none of it", async () => {
    const one = submission();
    const two = submission();
    for (const batch of [[one], [one, two]]) {
      const res = await post(JSON.stringify(batch.map((s) => JSON.parse(s.body))), {
        "content-type": "application/json",
      });
      expect(res.status).toBe(400);
      expect(res.json?.errors?.[0].extensions.code).toBe("BAD_REQUEST");
    }
    await one.notWritten();
    await two.notWritten();
  });
});

describe("GET", () => {
  it("never runs a public mutation, whatever headers come with it", async () => {
    const { input, notWritten } = submission();
    const search = new URLSearchParams({ query: SUBMIT, variables: JSON.stringify({ input }) });
    const variants: Record<string, string>[] = [
      { "apollo-require-preflight": "true" },
      { "content-type": "application/json" },
      {},
    ];
    for (const headers of variants) {
      const res = await fetch(`${t.url}?${search}`, { headers }).then(reply);
      expect([400, 405]).toContain(res.status);
      expect(res.json?.data).toBeUndefined();
    }
    await notWritten();
  });
});

describe("other methods", () => {
  it.each(["PUT", "PATCH", "DELETE"])(
    "refuses %s with 405 and executes nothing",
    async (method) => {
      const { body, notWritten } = submission();
      const res = await fetch(t.url, {
        method,
        headers: { "content-type": "application/json" },
        body,
      }).then(reply);
      expect(res.status).toBe(405);
      await notWritten();
    },
  );
});

describe("the body limit", () => {
  const padded = (size: number) => {
    const base = JSON.stringify({ query: "{ __typename }", variables: { pad: "" } });
    return JSON.stringify({
      query: "{ __typename }",
      variables: { pad: "x".repeat(size - base.length) },
    });
  };

  it("accepts a body of exactly BODY_LIMIT_BYTES and refuses one byte more with 413", async () => {
    const atLimit = padded(4096);
    expect(Buffer.byteLength(atLimit)).toBe(4096);
    const accepted = await post(atLimit, { "content-type": "application/json" });
    expect(accepted.status).toBe(200);
    expect(accepted.json?.data).toEqual({ __typename: "Query" });

    const over = await post(padded(4097), { "content-type": "application/json" });
    expect(over.status).toBe(413);
    expect(over.json?.errors?.[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses an oversized mutation before executing it", async () => {
    const input = complaintInput({ narrative: "x".repeat(5000) });
    const res = await post(JSON.stringify({ query: SUBMIT, variables: { input } }), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(413);
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull();
  });
});
