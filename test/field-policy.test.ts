import "reflect-metadata";
import {
  execute,
  getNamedType,
  isObjectType,
  parse,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { SENIM_POLICY, type Policy } from "../src/auth/guard";
import { DENY_BY_DEFAULT, FIELD_POLICY } from "../src/auth/policy";
import { loadConfig } from "../src/config";
import { createContext } from "../src/context";
import { loadAuditKeys, loadKeyRing } from "../src/crypto/keys";
import { ROLES } from "../src/db/schema";
import { buildSenimSchema, senimSchema } from "../src/graphql/schema";
import { createLogger } from "../src/logger";
import { openCase } from "./helpers/cases";
import { startTestServer, type TestServer } from "./helpers/server";

/** The records whose fields are case material; nothing reachable only through them may be visible by default. */
const CASE_RECORDS = ["Complaint", "Commendation"];

const objectFields = (type: GraphQLNamedType) =>
  isObjectType(type) ? Object.values(type.getFields()) : [];

/** Object types reachable from `from`, following every field, without going through `stopAt`. */
function reachable(schema: GraphQLSchema, from: string[], stopAt: string[] = []): Set<string> {
  const seen = new Set<string>();
  const queue = [...from];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (stopAt.includes(name)) continue;
    for (const field of objectFields(schema.getType(name)!)) {
      const target = getNamedType(field.type);
      if (isObjectType(target)) queue.push(target.name);
    }
  }
  return seen;
}

describe("the field policy", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await senimSchema();
  });

  it("lists every field of the deny-by-default types: decide who may see a new field before it ships", () => {
    const unlisted = [...DENY_BY_DEFAULT].flatMap((name) => {
      const type = schema.getType(name);
      if (!type || !isObjectType(type)) return [`${name} (no such object type)`];
      return Object.keys(type.getFields())
        .map((field) => `${name}.${field}`)
        .filter((key) => !Object.hasOwn(FIELD_POLICY, key));
    });
    expect(unlisted).toEqual([]);
  });

  it("names only fields that exist, for roles that exist", () => {
    const audiences = new Set<string>([...ROLES, "PUBLIC", "ANY_TOKEN"]);
    const problems = Object.entries(FIELD_POLICY).flatMap(([key, audience]) => {
      const [typeName, field] = key.split(".");
      const type = schema.getType(typeName);
      if (!type || !isObjectType(type) || !type.getFields()[field])
        return [`${key}: no such field`];
      return audience.filter((a) => !audiences.has(a)).map((a) => `${key}: unknown audience ${a}`);
    });
    expect(problems).toEqual([]);
  });

  it("denies by default every type reachable only through a complaint or a commendation", () => {
    const elsewhere = reachable(schema, ["Query", "Mutation"], CASE_RECORDS);
    const through = reachable(schema, CASE_RECORDS);
    const onlyThrough = [...through].filter((name) => !elsewhere.has(name)).sort();
    // The citizen's identity, the case's history: what this check exists for.
    expect(onlyThrough).toEqual(
      expect.arrayContaining(["Complainant", "CommendationSubmitter", "TimelineEntry"]),
    );
    expect(onlyThrough.filter((name) => !DENY_BY_DEFAULT.has(name))).toEqual([]);
    for (const name of CASE_RECORDS) expect(DENY_BY_DEFAULT.has(name)).toBe(true);
  });
});

describe("a field the policy does not list", () => {
  let t: TestServer;
  let complaintId: string;
  beforeAll(async () => {
    t = await startTestServer();
    complaintId = (await openCase(t)).id;
  });
  afterAll(() => t.close());

  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    AUDIT_KEY: process.env.AUDIT_KEY,
  });
  const log = createLogger("silent");
  const GAP = "Complaint.closedAt";
  const withoutGap = Object.fromEntries(Object.entries(FIELD_POLICY).filter(([k]) => k !== GAP));
  const QUERY = "query($id: ID!) { complaint(id: $id) { id status closedAt } }";

  /** Runs a query on `schema` as the server would, with a real context over the test database. */
  async function run(schema: GraphQLSchema, token: string | null, query = QUERY) {
    const context = await createContext(
      {
        database: t.database,
        config,
        log,
        keys: loadKeyRing(config, log),
        auditKeys: loadAuditKeys(config, log),
      },
      { authorization: token ? `Bearer ${token}` : undefined },
    );
    const result = await execute({
      schema,
      document: parse(query),
      variableValues: { id: complaintId },
      contextValue: context,
    });
    const errors = (result.errors ?? []).map((e) => [e.extensions.code, e.path]);
    return { data: result.data, errors, denied: [...context.denied] };
  }

  it("is refused to a SUPERVISOR (FORBIDDEN, noted for the DENIED record), though listed it is shown", async () => {
    const supervisor = await t.as("SUPERVISOR");
    const listed = await run(await senimSchema(), supervisor.token);
    expect(listed).toEqual({
      data: { complaint: { id: complaintId, status: "REGISTERED", closedAt: null } },
      errors: [],
      denied: [],
    });

    const gap = await run(
      await buildSenimSchema({ ...SENIM_POLICY, fields: withoutGap }),
      supervisor.token,
    );
    expect(gap).toEqual({
      data: { complaint: { id: complaintId, status: "REGISTERED", closedAt: null } },
      errors: [["FORBIDDEN", ["complaint", "closedAt"]]],
      denied: [GAP],
    });
  });

  it("is refused without a token as UNAUTHENTICATED, even where the operation would let the caller in", async () => {
    // The operation opened to the public for this test only, so that the field itself is what refuses.
    const policy: Policy = {
      ...SENIM_POLICY,
      operations: { ...SENIM_POLICY.operations, complaint: ["PUBLIC"] },
      fields: { ...withoutGap, "Complaint.id": ["PUBLIC"] },
    };
    const query = "query($id: ID!) { complaint(id: $id) { id closedAt } }";
    expect(await run(await buildSenimSchema(policy), null, query)).toEqual({
      data: { complaint: { id: complaintId, closedAt: null } },
      errors: [["UNAUTHENTICATED", ["complaint", "closedAt"]]],
      denied: [GAP],
    });
  });
});
