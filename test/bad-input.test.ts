import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type OperationDefinitionNode,
} from "graphql";
import { OPERATION_POLICY } from "../src/auth/policy";
import { arrayParam, rows } from "../src/db/client";
import type { Role } from "../src/db/schema";
import { complaintId, submitComplaint } from "./helpers/complaints";
import { contractOperations } from "./helpers/contract";
import { startLoggedServer } from "./helpers/logged-server";
import { createOfficer } from "./helpers/factories";
import { openReview } from "./helpers/reviews";
import { onPostgres } from "./helpers/database";
import { assertProperty, propertySettings } from "./helpers/properties";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";
import { CLIENT_CODES } from "../src/errors";

// Thousands of requests: far from the 60 s default on a loaded 2-core machine, and a test cut off
// mid-way leaves its requests running into the next one.
jest.setTimeout(300_000);

/**
 * Thousands of malformed and hostile requests against the real HTTP server: every argument of every
 * contract operation given the wrong type or a hostile value, operations built from the schema with
 * valid-shaped but meaningless arguments, broken bodies, content types, methods and headers.
 * None may get a 5xx, an error code outside DESIGN.md section 3, a stack trace, SQL or its own value
 * echoed back, and none that failed may write anything.
 */

let t: TestServer;
const tokens = new Map<Role, string>();
beforeAll(async () => {
  t = await startTestServer();
  for (const role of [
    "INVESTIGATOR",
    "SUPERVISOR",
    "HR",
    "ANALYST",
    "AUDITOR",
    "ADMIN",
  ] as Role[]) {
    tokens.set(role, (await t.as(role)).token!);
  }
  real = await realRecords();
});
afterAll(() => t.close());

/**
 * Records of this file's own that probes may name, so that hostile values also reach the code past
 * "not found" (and get stored when they are acceptable): keyed by the variable or field name.
 */
let real: Record<string, unknown>;
async function realRecords(): Promise<Record<string, unknown>> {
  const admin = await t.as("ADMIN");
  const officer = await createOfficer(admin);
  const { receipt } = await submitComplaint(t.public, {
    officers: [{ badgeNumber: officer.badgeNumber }],
    categories: ["FORCE"],
  });
  const id = await complaintId(await t.as("SUPERVISOR"), receipt.trackingNumber);
  const file = ok(await (await t.as("SUPERVISOR")).op("CaseFile", { id })).complaint;
  const review = await openReview(t, officer.badgeNumber);
  // A principal of its own: a probe may revoke it, or assign it cases.
  const assignee = await t.newCaller("INVESTIGATOR", "Bad-input assignee");
  return {
    id,
    complaintId: id,
    entityId: id,
    allegationId: file.allegations[0].id,
    allegationIds: [file.allegations[0].id],
    reviewId: review.id,
    principalId: assignee.principalId,
    assigneeId: assignee.principalId,
    badgeNumber: officer.badgeNumber,
    officerBadge: officer.badgeNumber,
    unitCode: "KZ-AST",
    parentCode: "KZ-AST",
    trackingNumber: receipt.trackingNumber,
    accessCode: receipt.accessCode,
  };
}

/** The same variables, naming this file's real records wherever a field is named like one. */
function onRealRecords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(onRealRecords);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key in real ? clone(real[key]) : onRealRecords(v),
    ]),
  );
}

const SETTINGS = propertySettings({ seed: 20_261_128, numRuns: 300 });
const schema = buildSchema(readFileSync(join(__dirname, "..", "schema", "schema.graphql"), "utf8"));

/** What a database error or a stack trace looks like when it leaks into a response. */
const LEAK =
  /\n\s+at |\bat [\w.<>$]+ \(|node_modules|\.[jt]s:\d+|syntax error at or near|violates [a-z -]*constraint|relation "|column "|invalid input syntax|duplicate key value|PostgresError|SQLSTATE|drizzle|pglite|\binsert into\b|\bselect\b[^"]{0,60}\bfrom\b/i;
/** Put inside hostile values: an error that repeats it has echoed what the client sent. */
const MARK = "ZQXMARK";

// --- hostile values -----------------------------------------------------------------------------

/** Every text slot gets each of these: validators and drivers differ most on odd Unicode. */
const ODD_UNICODE = [
  `${MARK}\u0000`,
  `\u0000${MARK}`,
  `${MARK}\uD800`,
  `${MARK}\uDFFF\uD800`,
  `${MARK}\u202E\u0301\u200B`,
  `${MARK}${"😀".repeat(100)}`,
  `\uFEFF${MARK}`,
  `${MARK}\u0085\u2028\u2029`,
];
const INJECTION = [
  `${MARK}' OR '1'='1`,
  `${MARK}'; DROP TABLE complaints; --`,
  `${MARK}" OR 1=1 --`,
  `${MARK}\\'); select pg_sleep(5); --`,
  `${MARK}<script>alert(1)</script>`,
  `${MARK}\${jndi:ldap://example.invalid/a}`,
  `${MARK}{{7*7}}`,
  `${MARK}../../../../etc/passwd`,
  `${MARK}%00%27`,
];
const ODD_SHAPES = [
  "",
  " ",
  "\t\n\r",
  MARK,
  `${MARK}${"a".repeat(10_000)}`,
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x1F",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "2026-02-30",
  "2026-13-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "0000-01-01",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00Z",
  "1970-01-01T00:00:00Z",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "{6a2f41a3-c54c-fce8-32d2-0324e1c32e22}",
  "not-a-uuid",
  "SNM-2026-000001",
  "KZ-AST",
  "MVD",
];
const HOSTILE_STRINGS = [...ODD_SHAPES, ...ODD_UNICODE, ...INJECTION];
const NUMBERS = [
  0,
  -1,
  1.5,
  -0.5,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e308,
  -1e308,
  1e-308,
  101,
  10_000_000,
];
const deep = (levels: number): unknown => (levels === 0 ? MARK : { a: deep(levels - 1) });
const OTHERS: unknown[] = [
  true,
  false,
  {},
  { zzKey: MARK },
  { ["__proto__"]: { polluted: MARK } },
  [],
  [MARK],
  [[[[]]]],
  [null],
  Array.from({ length: 1000 }, () => 1),
  deep(300),
];
const POOL: unknown[] = [...HOSTILE_STRINGS, ...NUMBERS, ...OTHERS, null];

// --- baselines: valid-shaped values that mean nothing (unknown ids and badges) ---------------------

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
const STRING_BY_NAME: Record<string, () => string> = {
  badgeNumber: () => "ZZ-NOBODY-01",
  officerBadge: () => "ZZ-NOBODY-01",
  unitCode: () => "ZZ-NOWHERE",
  parentCode: () => "ZZ-NOWHERE",
  scope: () => "ZZ-NOWHERE",
  code: () => "KZ-AST",
  trackingNumber: () => "SNM-2000-000001",
  accessCode: () => "WRONG-CODE",
  penalty: () => "REMARK",
  rank: () => "CAPTAIN",
  email: () => "a@example.kz",
  phone: () => "+77010000000",
  fullName: () => "Test Name",
  name: () => "Test Name",
  idempotencyKey: () => randomUUID(),
};

function baseline(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return baseline(type.ofType, name);
  if (isListType(type)) return [baseline(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type)) value[field.name] = baseline(field.type, field.name);
    }
    // A rule that cannot fire, should it ever be stored: the shared PostgreSQL holds other files' officers.
    if (type.name === "SetEarlyWarningRuleInput") value.active = false;
    return value;
  }
  switch (type.name) {
    case "ID":
      return randomUUID();
    case "Int":
    case "SafeInt":
      return name === "first" ? 5 : name === "rating" ? 3 : 1;
    case "Float":
      return 1.5;
    case "Boolean":
      return false;
    case "DateTime":
      return /incident|occurred/i.test(name) ? daysAgo(3) : daysAgo(-10);
    case "Date":
      return name === "to" ? "2026-02-01" : "2026-01-01";
    default:
      return STRING_BY_NAME[name]?.() ?? "text";
  }
}

// --- slots: every place a value goes, and what to put there instead --------------------------------

type Path = (string | number)[];
interface Slot {
  path: Path;
  type: GraphQLInputType;
}
const MISSING = Symbol("missing");

function slotsOf(type: GraphQLInputType, path: Path): Slot[] {
  const found: Slot[] = [{ path, type }];
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) found.push(...slotsOf(inner.ofType, [...path, 0]));
  else if (isInputObjectType(inner)) {
    for (const field of Object.values(inner.getFields()))
      found.push(...slotsOf(field.type, [...path, field.name]));
  }
  return found;
}

/** The wrong values for one slot, by kind: each kind is one request. */
function replacementsFor(
  slot: Slot,
  pick: (pool: unknown[]) => unknown,
): { kind: string; value: unknown }[] {
  const named = getNamedType(slot.type) as GraphQLNamedType;
  const inner = isNonNullType(slot.type) ? slot.type.ofType : slot.type;
  const out: { kind: string; value: unknown }[] = [];
  if (isNonNullType(slot.type))
    out.push({ kind: "null", value: null }, { kind: "missing", value: MISSING });
  if (isListType(inner)) {
    out.push({ kind: "object for list", value: { zzKey: [MARK] } });
    out.push({
      kind: "huge list",
      value: Array.from({ length: 1_000 }, () => baseline(inner.ofType, String(slot.path.at(-1)))),
    });
    return out;
  }
  if (isInputObjectType(inner)) {
    out.push({ kind: "scalar for object", value: pick(HOSTILE_STRINGS) });
    out.push({ kind: "array for object", value: [baseline(inner, "")] });
    out.push({
      kind: "unknown field",
      value: { ...(baseline(inner, "") as object), zzUnknown: MARK },
    });
    out.push({ kind: "deep object", value: deep(200) });
    return out;
  }
  out.push({ kind: "object for scalar", value: pick(OTHERS.filter((o) => typeof o === "object")) });
  out.push({ kind: "hostile value", value: pick(POOL) });
  if (
    named.name === "String" ||
    named.name === "ID" ||
    isEnumType(named) ||
    /Date/.test(named.name)
  ) {
    out.push({ kind: "number for string", value: pick(NUMBERS) });
    out.push({ kind: "injection", value: pick(INJECTION) });
    out.push({ kind: "odd shape", value: pick(ODD_SHAPES) });
    for (const value of ODD_UNICODE) out.push({ kind: "odd unicode", value });
  } else {
    out.push({ kind: "string for number", value: pick(HOSTILE_STRINGS) });
    out.push({ kind: "extreme number", value: pick(NUMBERS) });
    out.push({ kind: "extreme number", value: pick(NUMBERS) });
  }
  if (isEnumType(named)) {
    const first = named.getValues()[0].name;
    out.push({
      kind: "invalid enum",
      value: pick([`${MARK}_VALUE`, first.toLowerCase(), `${first} `, `${first}\u0000`]),
    });
  }
  if (named.name === "ID")
    out.push({
      kind: "invalid id",
      value: pick(["not-a-uuid", "00000000-0000-0000-0000-00000000000g", "1", `${MARK}-uuid`]),
    });
  if (/Date/.test(named.name)) {
    out.push({
      kind: "invalid date",
      value: pick([
        "2026-02-30",
        "2026-13-01",
        "yesterday",
        "2026-01-01T25:00:00Z",
        "+275760-09-13T00:00:00.001Z",
        "2026-1-1",
      ]),
    });
  }
  return out;
}

const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/** `variables` with the value at `path` replaced (or removed); missing parents are created. */
function withValue(
  variables: Record<string, unknown>,
  path: Path,
  value: unknown,
): Record<string, unknown> {
  const copy = clone(variables);
  let parent: any = copy;
  for (const key of path.slice(0, -1)) {
    if (parent[key] === null || typeof parent[key] !== "object")
      parent[key] = typeof key === "number" ? [] : {};
    parent = parent[key];
  }
  const last = path.at(-1)!;
  if (value === MISSING) delete parent[last];
  else parent[last] = value;
  return copy;
}

// --- requests -----------------------------------------------------------------------------------

interface Probe {
  /** What kind of bad input this is, for the histogram. */
  label: string;
  method?: string;
  search?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  role?: Role | null;
  /** The server may close the connection before reading it all (a body over the limit). */
  mayReset?: boolean;
  /** Text the client put outside variables (document, operation name): the server may repeat it. */
  echoable?: string;
}

const graphqlProbe = (
  label: string,
  document: string,
  variables: unknown,
  role: Role | null,
  extra: Record<string, unknown> = {},
): Probe => ({
  label,
  role,
  body: JSON.stringify({ query: document, variables, ...extra }),
  echoable: document + JSON.stringify(extra),
});

/** Who is meant to send an operation with this root field: its first allowed role (null for public). */
function senderOf(rootField: string): Role | null {
  const audience = OPERATION_POLICY[rootField] ?? [];
  if (audience.includes("PUBLIC")) return null;
  const role = audience.find((a) => a !== "ANY_TOKEN");
  return (role as Role | undefined) ?? "SUPERVISOR";
}

interface Operation {
  name: string;
  text: string;
  rootField: string;
  variables: Record<string, unknown>;
  slots: Slot[];
}

/** Every contract operation, with a baseline for its variables and the slots its values go in. */
function contract(): Operation[] {
  return [...contractOperations()].map(([name, { text }]) => {
    const def = parse(text).definitions[0] as OperationDefinitionNode;
    const rootField = (def.selectionSet.selections[0] as { name: { value: string } }).name.value;
    const variables: Record<string, unknown> = {};
    const slots: Slot[] = [];
    for (const v of def.variableDefinitions ?? []) {
      const type = typeFromAST(schema, v.type as never) as GraphQLInputType | undefined;
      if (!type) continue; // an operation the schema does not have yet: it fails validation, whatever its values
      if (isNonNullType(type))
        variables[v.variable.name.value] = baseline(type, v.variable.name.value);
      slots.push(...slotsOf(type, [v.variable.name.value]));
    }
    return { name, text, rootField, variables, slots };
  });
}

/** One request per slot and kind of wrong value, for every contract operation, as its intended sender. */
function contractProbes(operations: Operation[]): Probe[] {
  const picks = fc.sample(fc.nat(), { seed: SETTINGS.seed, numRuns: 20_000 });
  let next = 0;
  const pick = (pool: unknown[]) => pool[picks[next++ % picks.length] % pool.length];
  const probes: Probe[] = [];
  for (const op of operations) {
    const role = senderOf(op.rootField);
    probes.push(graphqlProbe("contract: baseline", op.text, op.variables, role));
    probes.push(
      graphqlProbe(
        "contract: unknown variable",
        op.text,
        { ...op.variables, zzUnknown: MARK },
        role,
      ),
    );
    // Every other probe names this file's real records, so that what passes validation meets real rows.
    const onReal = onRealRecords(op.variables) as Record<string, unknown>;
    probes.push(graphqlProbe("contract: baseline", op.text, onReal, role));
    for (const slot of op.slots) {
      for (const { kind, value } of replacementsFor(slot, pick)) {
        const base = probes.length % 2 ? onReal : op.variables;
        probes.push(
          graphqlProbe(`contract: ${kind}`, op.text, withValue(base, slot.path, value), role),
        );
      }
    }
  }
  return probes;
}

/** A value of the argument's type that is well formed but names nothing (or, sometimes, a hostile one). */
function wellFormed(type: GraphQLInputType, name: string): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return wellFormed(type.ofType, name);
  const nullable = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: arb, weight: 5 }, { arbitrary: fc.constant(null), weight: 1 });
  if (isListType(type)) return nullable(fc.array(wellFormed(type.ofType, name), { maxLength: 3 }));
  if (isEnumType(type)) return nullable(fc.constantFrom(...type.getValues().map((v) => v.name)));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const shape = Object.fromEntries(fields.map((f) => [f.name, wellFormed(f.type, f.name)]));
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    const record = fc
      .record(shape, { requiredKeys: required as never[] })
      .map((v) =>
        type.name === "SetEarlyWarningRuleInput" ? { ...(v as object), active: false } : v,
      );
    return nullable(record);
  }
  const scalar: Record<string, fc.Arbitrary<unknown>> = {
    ID: fc.uuid(),
    Int: fc.oneof(fc.integer({ min: -3, max: 120 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31))),
    SafeInt: fc.integer({ min: -3, max: 1000 }),
    Float: fc.double({ noNaN: true, noDefaultInfinity: true }),
    Boolean: fc.boolean(),
    DateTime: fc
      .date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString()),
    Date: fc
      .date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  };
  const text = fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.stringMatching(/^[A-Z][A-Z0-9-]{2,12}$/),
    fc.constantFrom("KZ-AST", "MVD", "SNM-2026-000001", STRING_BY_NAME[name]?.() ?? "text"),
  );
  const plain = scalar[type.name] ?? text;
  return nullable(
    fc.oneof({ arbitrary: plain, weight: 6 }, { arbitrary: fc.constantFrom(...POOL), weight: 1 }),
  );
}

const selectionFor = (field: GraphQLField<unknown, unknown>) =>
  isLeafType(getNamedType(field.type)) ? "" : " { __typename }";

/** Every root field of the committed schema, called with generated arguments, by its sender and by a stranger. */
function schemaProbes(): Probe[] {
  const probes: Probe[] = [];
  const roles: (Role | null)[] = [
    null,
    "INVESTIGATOR",
    "SUPERVISOR",
    "HR",
    "ANALYST",
    "AUDITOR",
    "ADMIN",
  ];
  for (const [keyword, root] of [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root!.getFields())) {
      const defs = field.args.map((a, i) => `$a${i}: ${a.type.toString()}`).join(", ");
      const args = field.args.map((a, i) => `${a.name}: $a${i}`).join(", ");
      const document = `${keyword} Probe${defs ? `(${defs})` : ""} { ${field.name}${args ? `(${args})` : ""}${selectionFor(field)} }`;
      const arb = fc.tuple(
        ...field.args.map((a) => wellFormed(a.type as GraphQLInputType, a.name)),
        fc.constantFrom(...roles),
      );
      const samples = fc.sample(arb, { seed: SETTINGS.seed, numRuns: 6 });
      samples.forEach((sample, n) => {
        const values = sample.slice(0, -1);
        const variables = Object.fromEntries(values.map((v, i) => [`a${i}`, v]));
        // Half by the field's own sender, so that the values get past the policy to the validation.
        const role = n % 2 === 0 ? senderOf(field.name) : (sample.at(-1) as Role | null);
        probes.push(graphqlProbe(`schema: ${keyword}`, document, variables, role));
      });
    }
  }
  return probes;
}

const JSON_TYPE = { "content-type": "application/json" };
const raw = (
  label: string,
  body: string,
  headers: Record<string, string> = JSON_TYPE,
  extra: Partial<Probe> = {},
): Probe => ({
  label,
  body,
  headers,
  echoable: body,
  ...extra,
});

/** Broken bodies, content types, methods, headers and documents. */
function transportProbes(operations: Operation[]): Probe[] {
  const seed = SETTINGS.seed;
  const submit = operations.find((o) => o.name === "SubmitComplaint")!;
  const query = "{ ranks { code } }";
  const probes: Probe[] = [
    raw("body: empty", ""),
    raw("body: null", "null"),
    raw("body: array (batch)", JSON.stringify([{ query }, { query }])),
    raw(
      "body: truncated JSON",
      JSON.stringify({ query: submit.text, variables: submit.variables }).slice(0, 120),
    ),
    raw("body: query is a number", JSON.stringify({ query: 5 })),
    raw("body: query is an object", JSON.stringify({ query: { kind: "Document" } })),
    raw("body: variables is a string", JSON.stringify({ query, variables: "{}" })),
    raw("body: variables is an array", JSON.stringify({ query, variables: [1] })),
    raw("body: extensions is a string", JSON.stringify({ query, extensions: "x" })),
    raw(
      "body: persisted query only",
      JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: "a".repeat(64) } },
      }),
    ),
    raw(
      "body: persisted query version 2",
      JSON.stringify({
        extensions: { persistedQuery: { version: 2, sha256Hash: "a".repeat(64) } },
      }),
    ),
    raw(
      "body: persisted query wrong hash",
      JSON.stringify({
        query,
        extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
      }),
    ),
    raw(
      "body: operationName unknown",
      JSON.stringify({ query: "query A { ranks { code } }", operationName: "Nope" }),
    ),
    raw(
      "body: operationName missing, two operations",
      JSON.stringify({ query: "query A { ranks { code } } query B { units { code } }" }),
    ),
    raw("body: operationName a number", JSON.stringify({ query, operationName: 5 })),
    raw("body: operationName an object", JSON.stringify({ query, operationName: {} })),
    raw("body: duplicate keys", '{"query":"{ranks{code}}","query":"mutation { x }"}'),
    raw(
      "body: a megabyte of text in a variable",
      JSON.stringify({
        query: submit.text,
        variables: {
          input: {
            ...(submit.variables.input as object),
            narrative: `${MARK}${"€".repeat(350_000)}`,
          },
        },
      }),
    ),
    raw(
      "body: deeply nested JSON",
      `{"query":"${query}","variables":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`,
    ),
    raw(
      "body: huge variable map",
      JSON.stringify({
        query: submit.text,
        variables: {
          ...submit.variables,
          ...Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`v${i}`, i])),
        },
      }),
    ),
    raw(
      "body: over the size limit",
      JSON.stringify({ query, variables: { pad: "x".repeat(2_200_000) } }),
      JSON_TYPE,
      { mayReset: true },
    ),
    {
      label: "body: invalid UTF-8",
      headers: JSON_TYPE,
      body: new Uint8Array([
        0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d,
      ]),
    },
    raw("document: subscription", JSON.stringify({ query: "subscription { ranks { code } }" })),
    raw("document: unknown field", JSON.stringify({ query: "{ nothingHere }" })),
    raw(
      "document: unknown type in variables",
      JSON.stringify({ query: "query($x: Nope) { ranks { code } }", variables: { x: 1 } }),
    ),
    raw(
      "document: fragment cycle",
      JSON.stringify({
        query:
          "{ units { ...A } } fragment A on Unit { children { ...B } } fragment B on Unit { ...A }",
      }),
    ),
    raw("document: unknown directive", JSON.stringify({ query: "{ ranks @nope { code } }" })),
    raw(
      "document: introspection",
      JSON.stringify({ query: "{ __schema { queryType { name } } }" }),
    ),
    raw("document: mutation over GET", "", JSON_TYPE, {
      method: "GET",
      search: `?query=${encodeURIComponent('mutation { revokeApiToken(principalId: "x") { __typename } }')}`,
    }),
    raw(
      "document: GET with broken variables",
      "",
      { "apollo-require-preflight": "1" },
      { method: "GET", search: `?query=${encodeURIComponent(query)}&variables=%7B` },
    ),
    raw(
      "document: GET without a query",
      "",
      { "apollo-require-preflight": "1" },
      { method: "GET", search: "?variables=%7B%7D" },
    ),
  ];
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "application/graphql",
    "",
    "APPLICATION/JSON",
    "application/json; charset=utf-16",
    "application/graphql-response+json",
  ]) {
    probes.push(
      raw(
        `content type: ${type || "(none)"}`,
        JSON.stringify({ query }),
        type ? { "content-type": type } : {},
      ),
    );
  }
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"])
    probes.push(
      raw(`method: ${method}`, method === "OPTIONS" ? "" : JSON.stringify({ query }), JSON_TYPE, {
        method,
      }),
    );
  for (const authorization of [
    "Bearer",
    "Bearer ",
    `Bearer ${"x".repeat(8_000)}`,
    "Basic dXNlcjpwYXNz",
    "bearer  x y",
    `Bearer ${MARK}'--`,
  ]) {
    probes.push(
      raw("header: odd authorization", JSON.stringify({ query: "{ me { id } }" }), {
        ...JSON_TYPE,
        authorization,
      }),
    );
  }
  // Generated: any JSON as a body, binary noise, documents of random tokens, contract documents cut short.
  for (const value of fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed, numRuns: 120 }))
    probes.push(raw("generated: JSON body", JSON.stringify(value) ?? "null"));
  for (const text of fc.sample(fc.string({ unit: "binary", maxLength: 200 }), {
    seed,
    numRuns: 60,
  }))
    probes.push(raw("generated: noise body", text));
  const token = fc.constantFrom(
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "on",
    "...",
    "$x",
    ":",
    "Int!",
    "String",
    "=",
    "units",
    "code",
    "ranks",
    "me",
    "@skip(if: true)",
    '"str',
    '"""',
    "#",
    "\\u0000",
    "1e999",
    "__typename",
    "submitComplaint",
    "input:",
    ",",
    "!",
    "|",
    "&",
  );
  for (const parts of fc.sample(fc.array(token, { minLength: 1, maxLength: 30 }), {
    seed,
    numRuns: 150,
  }))
    probes.push(raw("generated: token soup", JSON.stringify({ query: parts.join(" ") })));
  const cuts = fc.sample(
    fc.tuple(fc.constantFrom(...operations), fc.double({ min: 0, max: 1, noNaN: true })),
    { seed, numRuns: 120 },
  );
  for (const [op, at] of cuts) {
    probes.push(
      graphqlProbe(
        "generated: cut document",
        op.text.slice(0, Math.floor(op.text.length * at)),
        op.variables,
        senderOf(op.rootField),
      ),
    );
  }
  return probes;
}

// --- sending and checking -----------------------------------------------------------------------

interface Outcome {
  requestId: string;
  status: number;
  codes: string[];
  /** A mutation field came back with data: that request may have written. */
  wrote: boolean;
}

const runId = randomBytes(4).toString("hex");
let sequence = 0;
const outcomes: Outcome[] = [];
const violations: string[] = [];
const statusHistogram = new Map<number, number>();
const codeHistogram = new Map<string, number>();
const labelHistogram = new Map<string, number>();
const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

async function send(p: Probe): Promise<Outcome> {
  const requestId = `bad-${runId}-${++sequence}`;
  const token = p.role ? tokens.get(p.role) : undefined;
  const headers: Record<string, string> = {
    ...(p.headers ?? JSON_TYPE),
    "x-request-id": requestId,
  };
  if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
  const method = p.method ?? "POST";
  const sent = typeof p.body === "string" ? p.body : "";
  let res: Response;
  let text: string;
  try {
    res = await fetch(t.url + (p.search ?? ""), {
      method,
      headers,
      body: method === "GET" ? undefined : p.body,
    });
    text = await res.text();
  } catch (e) {
    if (!p.mayReset)
      violations.push(`${p.label} [${requestId}]: the connection failed: ${(e as Error).message}`);
    const closed: Outcome = { requestId, status: 0, codes: [], wrote: false };
    outcomes.push(closed);
    bump(statusHistogram, 0);
    return closed;
  }
  const problems: string[] = [];
  // Audit rows carry the server's own id for the request, not the one sent.
  const outcome: Outcome = {
    requestId: res.headers.get("x-request-id") ?? requestId,
    status: res.status,
    codes: [],
    wrote: false,
  };
  if (res.status >= 500) problems.push(`HTTP ${res.status}`);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    problems.push("response is not JSON");
  }
  const errors: any[] = Array.isArray(body?.errors) ? body.errors : [];
  for (const e of errors) {
    const code = e?.extensions?.code;
    outcome.codes.push(code);
    if (!CLIENT_CODES.has(code)) problems.push(`code ${code} is outside the closed set`);
    if (code === "INTERNAL_SERVER_ERROR") problems.push("INTERNAL_SERVER_ERROR");
    if (code === "BAD_USER_INPUT" && typeof e.extensions.field !== "string")
      problems.push("BAD_USER_INPUT without extensions.field");
    if (code === "RATE_LIMITED" && typeof e.extensions.retryAfterSeconds !== "number")
      problems.push("RATE_LIMITED without retryAfterSeconds");
    if (e?.extensions?.stacktrace || e?.extensions?.exception)
      problems.push("stack trace in extensions");
  }
  const errorText = JSON.stringify(errors);
  if (LEAK.test(errorText)) problems.push(`SQL or stack text: ${errorText.slice(0, 300)}`);
  if (errorText.includes(MARK) && !p.echoable?.includes(MARK))
    problems.push(`echoes the value sent: ${errorText.slice(0, 300)}`);
  // Conservative: any data from a document that mentions a mutation counts as a possible write.
  if (body?.data && typeof body.data === "object" && /mutation/.test(sent)) {
    outcome.wrote = Object.values(body.data).some((v) => v !== null);
  }
  if (problems.length)
    violations.push(
      `${p.label} [${requestId}] ${method} -> ${res.status}: ${problems.join("; ")}\n  sent: ${(sent || p.search || "").slice(0, 400)}`,
    );
  bump(statusHistogram, res.status);
  for (const code of new Set(outcome.codes)) bump(codeHistogram, code);
  bump(labelHistogram, p.label.split(":")[0]);
  outcomes.push(outcome);
  return outcome;
}

/** The content of every table a request could write (audit_log: its SUCCESS records; denials are meant to be written). */
const TABLES = [
  "units",
  "officers",
  "officer_assignments",
  "officer_status_changes",
  "principals",
  "complaints",
  "allegations",
  "complaint_events",
  "idempotency_keys",
  "tracking_counters",
  "commendations",
  "disciplinary_reviews",
  "review_allegations",
  "early_warning_rules",
  "public_holidays",
  "penalties",
  "ranks",
];
async function fingerprint(): Promise<string> {
  const parts = TABLES.map(
    (name) =>
      sql`(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${sql.identifier(name)} x)`,
  );
  parts.push(
    // A failed read that still returned personal data is recorded as read (the access log): not a write.
    sql`(select md5(coalesce(string_agg(x::text, '|' order by x.seq), '')) from audit_log x
         where x.outcome = 'SUCCESS' and x.action <> 'READ_PERSONAL_DATA')`,
  );
  const [{ f }] = await rows<{ f: string }>(
    t.database.db,
    sql`select concat_ws(',', ${sql.join(parts, sql`, `)}) as f`,
  );
  return f;
}

/**
 * Sends the probes. On PGlite the database is this file's alone: they go one at a time and the
 * fingerprint of every table is compared around each one that failed. On the shared PostgreSQL they go
 * four at a time, and what was written is checked through the audit log by request id instead.
 */
const stats = { compared: 0 };
async function sendAll(probes: Probe[]): Promise<void> {
  if (onPostgres) {
    const queue = [...probes];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let p = queue.shift(); p; p = queue.shift()) await send(p);
      }),
    );
    return;
  }
  let before = await fingerprint();
  for (const p of probes) {
    const outcome = await send(p);
    const after = await fingerprint();
    if (!outcome.wrote) {
      stats.compared++;
      if (after !== before)
        violations.push(
          `${p.label} [${outcome.requestId}] failed (${outcome.codes.join(",") || outcome.status}) but changed the database\n  sent: ${String(p.body ?? "").slice(0, 400)}`,
        );
    }
    before = after;
  }
}

/** Audit records of this file's requests: SUCCESS only where a mutation returned data, DENIED exactly where one was refused by role. */
async function auditViolations(): Promise<string[]> {
  const written = await rows<{ request_id: string; outcome: string }>(
    t.database.db,
    // Reads of personal data are recorded whatever else the request did (test/integrity.test.ts).
    sql`select request_id, outcome from audit_log
        where action <> 'READ_PERSONAL_DATA' and request_id = any(${arrayParam(
          outcomes.map((o) => o.requestId),
          "text",
        )})`,
  );
  const problems: string[] = [];
  const byId = new Map(outcomes.map((o) => [o.requestId, o]));
  for (const w of written) {
    const o = byId.get(w.request_id)!;
    if (w.outcome === "SUCCESS" && !o.wrote)
      problems.push(`${w.request_id} failed (${o.codes}) but has a SUCCESS audit record`);
    if (
      w.outcome === "DENIED" &&
      !o.codes.some((c) => c === "FORBIDDEN" || c === "UNAUTHENTICATED")
    )
      problems.push(`${w.request_id} has a DENIED record but was not refused`);
  }
  const denied = new Set(written.filter((w) => w.outcome === "DENIED").map((w) => w.request_id));
  for (const o of outcomes) {
    if (
      o.codes.some((c) => c === "FORBIDDEN" || c === "UNAUTHENTICATED") &&
      !denied.has(o.requestId)
    )
      problems.push(`${o.requestId} was refused (${o.codes}) without a DENIED record`);
  }
  return problems;
}

const report = (list: string[]) =>
  list.length ? `${list.length} problem(s):\n${list.slice(0, 15).join("\n")}` : "";
/** The problems found since this test started. */
let reported = 0;
beforeEach(() => (reported = violations.length));
const newViolations = () => report(violations.slice(reported));

const operations = contract();

describe("generated bad input", () => {
  it("sees a write, in the audit log and (on PGlite) in its fingerprint of every table, so that the checks below can fail", async () => {
    const before = onPostgres ? null : await fingerprint();
    const submit = operations.find((o) => o.name === "SubmitComplaint")!;
    const input = {
      ...(submit.variables.input as object),
      unitCode: "KZ-AST",
      incidentPlace: MARK,
    };
    const submitted = await send(graphqlProbe("check", submit.text, { input }, null));
    expect(submitted.wrote).toBe(true);
    const audited = await rows<{ outcome: string }>(
      t.database.db,
      sql`select outcome from audit_log where request_id = ${submitted.requestId}`,
    );
    expect(audited).toEqual([{ outcome: "SUCCESS" }]);
    if (onPostgres) return; // other files write to the shared database: only PGlite can compare whole tables
    const after = await fingerprint();
    expect(after).not.toBe(before);
    // An update that adds no row shows too.
    await t.database.db.execute(
      sql`update complaints set incident_place = 'elsewhere'
          where id = (select entity_id::uuid from audit_log where request_id = ${submitted.requestId})`,
    );
    expect(await fingerprint()).not.toBe(after);
  });

  it("answers every malformed argument of every contract operation without a 5xx, a leak or a write", async () => {
    const probes = contractProbes(operations);
    await sendAll(probes);
    expect(newViolations()).toBe("");
  });

  it("answers every root field of the schema called with generated arguments, by every role", async () => {
    await sendAll(schemaProbes());
    expect(newViolations()).toBe("");
  });

  it("answers broken bodies, content types, methods, headers and documents", async () => {
    await sendAll(transportProbes(operations));
    expect(newViolations()).toBe("");
  });

  it("holds for random combinations of bad values in random operations from random callers", async () => {
    const roles = fc.constantFrom<Role | null>(
      null,
      "INVESTIGATOR",
      "SUPERVISOR",
      "HR",
      "ANALYST",
      "AUDITOR",
      "ADMIN",
    );
    const withSlots = operations.filter((o) => o.slots.length);
    const combination = fc
      .tuple(
        fc.nat(withSlots.length - 1),
        fc.oneof(fc.constant("sender" as const), roles),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom<unknown>(...POOL, MISSING)), {
          minLength: 1,
          maxLength: 3,
        }),
      )
      .map(([i, who, onReal, changes]) => {
        const op = withSlots[i];
        let variables = (onReal ? onRealRecords(op.variables) : op.variables) as Record<
          string,
          unknown
        >;
        for (const [slot, value] of changes)
          variables = withValue(variables, op.slots[slot % op.slots.length].path, value);
        const role = who === "sender" ? senderOf(op.rootField) : who;
        return graphqlProbe(
          `random: combination${onReal ? " on real records" : ""}`,
          op.text,
          variables,
          role,
        );
      });
    await assertProperty(
      fc.asyncProperty(combination, async (probe) => {
        const seen = violations.length;
        await sendAll([probe]);
        return violations.length === seen;
      }),
      SETTINGS,
      "test/bad-input.test.ts",
    );
    expect(newViolations()).toBe("");
  });

  it("wrote audit records only for what succeeded, and a DENIED record for every refusal by role", async () => {
    expect(report(await auditViolations())).toBe("");
    const line = (m: Map<unknown, number>) =>
      [...m]
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
        .map(([k, n]) => `${k}: ${n}`)
        .join(", ");
    console.log(
      `bad input (seed ${SETTINGS.seed}, ${onPostgres ? "PostgreSQL" : "PGlite"}): ${outcomes.length} requests; ` +
        `${outcomes.filter((o) => o.wrote).length} mutations succeeded; ${onPostgres ? "writes checked through the audit log" : `${stats.compared} failed requests checked for writes against a fingerprint of every table`}\n` +
        `by status: ${line(statusHistogram)}\nby code: ${line(codeHistogram)}\nby source: ${line(labelHistogram)}`,
    );
    expect(outcomes.length).toBeGreaterThanOrEqual(2000);
  });
});

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

  it("refuses a lone surrogate in any text as BAD_USER_INPUT (an email with one was INTERNAL_SERVER_ERROR)", async () => {
    const complaint = operations.find((o) => o.name === "SubmitComplaint")!;
    // A key of its own: the generated probes above have used the baseline's.
    const input = {
      ...(complaint.variables.input as object),
      unitCode: "KZ-AST",
      idempotencyKey: randomUUID(),
    };
    const complainant = {
      fullName: "Aigerim Sadykova",
      type: "VICTIM",
      email: "a\uD800@example.kz",
    };
    expect(
      errorOf(await t.public.op("SubmitComplaint", { input: { ...input, complainant } })),
    ).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.complainant.email",
    });
    // Free text would have been stored with the half replaced by U+FFFD.
    expect(
      errorOf(
        await t.public.op("SubmitComplaint", {
          input: { ...input, narrative: "I was hit \uDE00" },
        }),
      ),
    ).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.narrative",
    });
    const commendation = operations.find((o) => o.name === "SubmitCommendation")!;
    const submitter = { fullName: "Aigerim Sadykova", email: "\uD800" };
    const refused = await t.public.op("SubmitCommendation", {
      input: { ...(commendation.variables.input as object), submitter },
    });
    expect(errorOf(refused)).toEqual({ code: "BAD_USER_INPUT", field: "input.submitter.email" });
    // A whole pair (an emoji) is well formed, and welcome.
    ok(
      await t.public.op("SubmitComplaint", {
        input: { ...input, narrative: "He laughed 😀 at me" },
      }),
    );
  });

  it("reports a roster row whose name holds half a surrogate pair as a row error (was INTERNAL_SERVER_ERROR)", async () => {
    const admin = await t.as("ADMIN");
    const row = {
      badgeNumber: `B-${randomBytes(4).toString("hex").toUpperCase()}`,
      fullName: "Berik\uDFFF\uD800Kassymov",
      rank: "CAPTAIN",
      unitCode: "KZ-AST",
      hiredAt: "2019-08-01",
    };
    const { importOfficers } = ok(await admin.op("ImportOfficers", { input: { officers: [row] } }));
    expect(importOfficers).toMatchObject({
      created: 0,
      updated: 0,
      errors: [{ row: 1, field: "fullName" }],
    });
  });

  it("logs refused variables as no error at all: they may hold a complainant's name or phone (were 'unexpected error' lines)", async () => {
    const logged = await startLoggedServer();
    try {
      const complaint = operations.find((o) => o.name === "SubmitComplaint")!;
      const phone = 77_010_000_000 + Math.floor(Math.random() * 9_999_999);
      const input = {
        ...(complaint.variables.input as object),
        complainant: { fullName: "Aigerim Sadykova", type: "VICTIM", phone },
      };
      const refused = [
        { input },
        { input: { ...input, zzUnknown: 1 } },
        { input: { ...input, channel: "PIGEON" } },
      ];
      for (const variables of refused) {
        const res = await fetch(`${logged.origin}/graphql`, {
          method: "POST",
          headers: JSON_TYPE,
          body: JSON.stringify({ query: complaint.text, variables }),
        });
        expect(
          ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
            .extensions.code,
        ).toBe("BAD_USER_INPUT");
      }
      // A malformed request is the client's mistake, not the server's: no error-level line, and no value.
      expect(logged.lines.filter((line) => line.level >= 50)).toEqual([]);
      expect(logged.text()).not.toContain(String(phone));
      expect(logged.text()).not.toContain("PIGEON");
    } finally {
      await logged.server.close();
      await logged.database.close();
    }
  });
});
