import { startTestServer, type TestServer } from "./helpers/server";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const JSON_TYPE = { "content-type": "application/json" };
async function post(body: unknown): Promise<{ status: number; codes: string[] }> {
  const res = await fetch(t.url, {
    method: "POST",
    headers: JSON_TYPE,
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { errors?: { extensions: { code: string } }[] };
  return { status: res.status, codes: (json.errors ?? []).map((e) => e.extensions.code) };
}

describe("requests the generated bad input found wanting (regressions)", () => {
  it("refuses a subscription, which the schema has none of, as GRAPHQL_VALIDATION_FAILED (was INTERNAL_SERVER_ERROR)", async () => {
    expect(await post({ query: "subscription { ranks { code } }" })).toEqual({
      status: 400,
      codes: ["GRAPHQL_VALIDATION_FAILED"],
    });
    expect(await post({ query: "subscription S { me { id } }", operationName: "S" })).toEqual({
      status: 400,
      codes: ["GRAPHQL_VALIDATION_FAILED"],
    });
  });

  it("answers an unknown operation name, or none among several operations, with BAD_REQUEST (was OPERATION_RESOLUTION_FAILURE)", async () => {
    expect(await post({ query: "query A { ranks { code } }", operationName: "Nope" })).toEqual({
      status: 400,
      codes: ["BAD_REQUEST"],
    });
    expect(await post({ query: "query A { ranks { code } } query B { units { code } }" })).toEqual({
      status: 400,
      codes: ["BAD_REQUEST"],
    });
    expect(
      await post({
        query: "query A { ranks { code } } query B { units { code } }",
        operationName: "B",
      }),
    ).toMatchObject({ status: 200, codes: [] });
  });

  it("answers a persisted-query hash it has not seen with BAD_REQUEST (was PERSISTED_QUERY_NOT_FOUND)", async () => {
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } } };
    const res = await fetch(t.url, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify(hashOnly),
    });
    const json = (await res.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    // The message is what Apollo Client's persisted-query link looks for before sending the whole query.
    expect(json.errors).toEqual([
      { message: "PersistedQueryNotFound", extensions: { code: "BAD_REQUEST" } },
    ]);
  });
});
