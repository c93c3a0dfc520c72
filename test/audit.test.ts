import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import {
  appendAudit,
  canonical,
  GENESIS_HASH,
  legacyHash,
  type AuditEntry,
} from "../src/audit/audit.writer";
import { verifyChain, type ChainReport } from "../src/audit/audit.verify";
import { issuePrincipal, type Principal } from "../src/auth/token";
import { loadConfig } from "../src/config";
import { createContext, inTransaction } from "../src/context";
import type { Queryable } from "../src/db/client";
import { auditLog, officers, units } from "../src/db/schema";
import { createLogger } from "../src/logger";
import {
  auditRowsOfEntity,
  auditRowsOfRequest,
  failureInRolledBackTransaction,
  openProcessDatabase,
  rowsMentioning,
  runCli,
  tamper,
  traced,
  withServer,
} from "./helpers/audit";
import { fixtureActor, openPrivateDatabase, testAuditKeys } from "./helpers/database";
import {
  createDistrict,
  createOfficer,
  officerInput,
  unique,
  unitInput,
} from "./helpers/factories";
import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

interface AuditNode {
  seq: number;
  at: string;
  action: string;
  entity: string | null;
  entityId: string | null;
  outcome: string;
  principal: { id: string; name: string; role: string } | null;
}

interface AuditPage {
  totalCount: number;
  edges: { node: AuditNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The auditor's view: AuditTrail as the contract sends it. */
async function trail(variables: {
  entityId?: string;
  principalId?: string;
  first?: number;
  after?: string;
}): Promise<AuditPage> {
  const auditor = await t.as("AUDITOR");
  return ok(await auditor.op("AuditTrail", variables)).auditTrail;
}

/** Every page of a trail, following endCursor. */
async function allPages(
  variables: { entityId?: string; principalId?: string },
  first: number,
): Promise<AuditPage[]> {
  const pages: AuditPage[] = [];
  let after: string | undefined;
  do {
    const page = await trail({ ...variables, first, after });
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor! : undefined;
  } while (after && pages.length < 50);
  return pages;
}

const actionsOf = (page: AuditPage) => page.edges.map((e) => e.node.action);

/** The text of an error and of its causes (drizzle wraps the driver's error). */
const errorText = (e: unknown): string => {
  const parts: string[] = [];
  for (
    let err = e as { message?: string; cause?: unknown } | undefined;
    err && parts.length < 5;
    err = err.cause as typeof err
  ) {
    parts.push(String(err.message));
  }
  return parts.join(" / ");
};

describe("audit records of mutations", () => {
  it("records createUnit with who did it, to what, and when", async () => {
    const admin = await t.as("ADMIN");
    const before = Date.now();
    const { unit } = ok(await admin.op("CreateUnit", { input: unitInput() })).createUnit;
    const page = await trail({ entityId: unit.id });
    expect(page.totalCount).toBe(1);
    const [{ node }] = page.edges;
    expect(node).toEqual({
      seq: expect.any(Number),
      at: expect.any(String),
      action: "createUnit",
      entity: "Unit",
      entityId: unit.id,
      outcome: "SUCCESS",
      principal: { id: admin.principalId, name: "Test admin", role: "ADMIN" },
    });
    expect(Number.isSafeInteger(node.seq) && node.seq > 0).toBe(true);
    expect(new Date(node.at).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(new Date(node.at).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("records an officer's creation, transfer and status change, newest first", async () => {
    const admin = await t.as("ADMIN");
    const officer = await createOfficer(admin);
    ok(
      await admin.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: "KZ-ALA" },
      }),
    );
    ok(
      await admin.op("ChangeOfficerStatus", {
        input: { badgeNumber: officer.badgeNumber, status: "SUSPENDED", reason: "Order 41" },
      }),
    );
    const page = await trail({ entityId: officer.id });
    expect(page.totalCount).toBe(3);
    expect(actionsOf(page)).toEqual(["changeOfficerStatus", "transferOfficer", "createOfficer"]);
    expect(
      page.edges.every(
        (e) =>
          e.node.entity === "Officer" &&
          e.node.outcome === "SUCCESS" &&
          e.node.principal?.id === admin.principalId,
      ),
    ).toBe(true);
    const seqs = page.edges.map((e) => e.node.seq);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(3);
  });

  it("records one importOfficers entry per officer created or updated, all from the one request", async () => {
    const admin = await t.as("ADMIN");
    const existing = await createOfficer(admin);
    const fresh = [officerInput(), officerInput()];
    const result = await traced(
      t.url,
      admin.token,
      "mutation($input: ImportOfficersInput!) { importOfficers(input: $input) { created updated errors { row } } }",
      {
        input: {
          officers: [
            ...fresh,
            officerInput({ badgeNumber: existing.badgeNumber, rank: "CAPTAIN" }),
          ],
        },
      },
    );
    expect(ok(result).importOfficers).toEqual({ created: 2, updated: 1, errors: [] });
    const rows = await auditRowsOfRequest(t.database.db, result.requestId);
    const createdIds = await Promise.all(
      fresh.map(
        async (f) =>
          (
            await t.database.db
              .select({ id: officers.id })
              .from(officers)
              .where(eq(officers.badgeNumber, f.badgeNumber))
          )[0].id,
      ),
    );
    expect(rows.map((r) => r.entityId).sort()).toEqual([...createdIds, existing.id].sort());
    expect(
      rows.every(
        (r) =>
          r.action === "importOfficers" &&
          r.entity === "Officer" &&
          r.outcome === "SUCCESS" &&
          r.principalId === admin.principalId,
      ),
    ).toBe(true);
    expect(rows.map((r) => r.seq)).toEqual([rows[0].seq, rows[0].seq + 1, rows[0].seq + 2]);
  });

  it("writes no record, and no change, for a mutation that fails", async () => {
    const admin = await t.as("ADMIN");
    const input = officerInput({ unitCode: "KZ-NOWHERE" });
    const result = await traced(
      t.url,
      admin.token,
      "mutation($input: CreateOfficerInput!) { createOfficer(input: $input) { officer { id } } }",
      { input },
    );
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.unitCode" });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
    expect(
      await t.database.db
        .select()
        .from(officers)
        .where(eq(officers.badgeNumber, input.badgeNumber)),
    ).toEqual([]);

    const officer = await createOfficer(admin);
    const same = await traced(
      t.url,
      admin.token,
      "mutation($input: ChangeOfficerStatusInput!) { changeOfficerStatus(input: $input) { officer { id } } }",
      {
        input: { badgeNumber: officer.badgeNumber, status: "ACTIVE", reason: "No change" },
      },
    );
    expect(errorOf(same)).toEqual({ code: "INVALID_STATE" });
    expect(await auditRowsOfRequest(t.database.db, same.requestId)).toEqual([]);
    expect((await auditRowsOfEntity(t.database.db, officer.id)).map((r) => r.action)).toEqual([
      "createOfficer",
    ]);
  });

  it("writes no record for an import rejected row by row", async () => {
    const admin = await t.as("ADMIN");
    const good = officerInput();
    const result = await traced(
      t.url,
      admin.token,
      "mutation($input: ImportOfficersInput!) { importOfficers(input: $input) { created errors { row field } } }",
      {
        input: { officers: [good, officerInput({ rank: "EMPEROR" })] },
      },
    );
    expect(ok(result).importOfficers).toEqual({ created: 0, errors: [{ row: 2, field: "rank" }] });
    expect(await auditRowsOfRequest(t.database.db, result.requestId)).toEqual([]);
    expect(
      await t.database.db.select().from(officers).where(eq(officers.badgeNumber, good.badgeNumber)),
    ).toEqual([]);
  });

  it("records only the winner when two requests race to create the same badge number", async () => {
    const admin = await t.as("ADMIN");
    const input = officerInput();
    const doc =
      "mutation($input: CreateOfficerInput!) { createOfficer(input: $input) { officer { id } } }";
    const results = await Promise.all([
      traced(t.url, admin.token, doc, { input }),
      traced(t.url, admin.token, doc, { input }),
    ]);
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers.map(errorOf)).toEqual([{ code: "BAD_USER_INPUT", field: "input.badgeNumber" }]);
    expect(await auditRowsOfRequest(t.database.db, losers[0].requestId)).toEqual([]);
    const id = winners[0].data.createOfficer.officer.id;
    expect((await auditRowsOfEntity(t.database.db, id)).map((r) => r.requestId)).toEqual([
      winners[0].requestId,
    ]);
  });

  it("keeps no personal data: no officer name, status reason or principal name in any record", async () => {
    const admin = await t.newCaller("ADMIN", `Aliya Nurpeisova ${unique("A")}`);
    const fullName = `Yerlan Zhaksylykov ${unique("N")}`;
    const renamed = `Yerlan Zhaksylykov-Ospanov ${unique("N")}`;
    const reason = `Medical certificate ${unique("R")}`;
    const officer = await createOfficer(admin, { fullName });
    ok(
      await admin.op("ImportOfficers", {
        input: {
          officers: [officerInput({ badgeNumber: officer.badgeNumber, fullName: renamed })],
        },
      }),
    );
    ok(
      await admin.op("ChangeOfficerStatus", {
        input: { badgeNumber: officer.badgeNumber, status: "ON_LEAVE", reason },
      }),
    );
    expect((await auditRowsOfEntity(t.database.db, officer.id)).length).toBe(3);
    for (const text of [fullName, renamed, reason, "Aliya Nurpeisova"]) {
      expect({ text, rows: await rowsMentioning(t.database.db, "audit_log", text) }).toEqual({
        text,
        rows: 0,
      });
    }
  });
});

describe("the transaction a mutation runs in", () => {
  const contextFor = async (principal: Principal) => {
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    });
    const ctx = await createContext(
      {
        database: t.database,
        config,
        log: createLogger("silent"),
        keys: config.encryptionKeys!,
        auditKeys: testAuditKeys(),
      },
      { requestId: `test-${randomUUID()}` },
    );
    return { ...ctx, principal };
  };
  const district = () => ({
    code: unique("TX"),
    name: "Rolled back district",
    kind: "DISTRICT" as const,
    path: `/MVD/KZ-AST/${unique("TX")}/`,
  });

  it("keeps the change and its record together when the work fails after writing", async () => {
    const { principal } = await issuePrincipal(t.database.db, fixtureActor(), {
      role: "ADMIN",
      name: "Direct",
    });
    const ctx = await contextFor(principal);
    const unit = district();
    await expect(
      inTransaction(ctx, async (tx, audit) => {
        const [row] = await tx.insert(units).values(unit).returning();
        audit({ action: "createUnit", entity: "Unit", entityId: row.id });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await t.database.db.select().from(units).where(eq(units.code, unit.code))).toEqual([]);
    expect(await auditRowsOfRequest(t.database.db, ctx.requestId)).toEqual([]);
  });

  it("undoes the change when its audit record cannot be written", async () => {
    const { principal } = await issuePrincipal(t.database.db, fixtureActor(), {
      role: "ADMIN",
      name: "Direct",
    });
    const ctx = await contextFor(principal);
    const unit = district();
    await expect(
      inTransaction(ctx, async (tx, audit) => {
        await tx.insert(units).values(unit);
        audit({ action: null as unknown as string, entity: "Unit", entityId: null }); // violates NOT NULL
      }),
    ).rejects.toThrow();
    expect(await t.database.db.select().from(units).where(eq(units.code, unit.code))).toEqual([]);
  });
});

describe("auditTrail", () => {
  /** A fresh admin who creates `n` units, so that its trail holds exactly those records. */
  async function adminWithUnits(n: number): Promise<{ admin: Caller; unitIds: string[] }> {
    const admin = await t.newCaller("ADMIN");
    const unitIds: string[] = [];
    for (let i = 0; i < n; i++)
      unitIds.push(ok(await admin.op("CreateUnit", { input: unitInput() })).createUnit.unit.id);
    return { admin, unitIds };
  }

  it("pages through one principal's records newest first, without overlap or gaps", async () => {
    const { admin, unitIds } = await adminWithUnits(5);
    const pages = await allPages({ principalId: admin.principalId! }, 2);
    expect(pages.map((p) => p.edges.length)).toEqual([2, 2, 1]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.every((p) => p.totalCount === 5)).toBe(true);
    const nodes = pages.flatMap((p) => p.edges.map((e) => e.node));
    expect(nodes.map((n) => n.entityId)).toEqual([...unitIds].reverse());
    const seqs = nodes.map((n) => n.seq);
    expect(new Set(seqs).size).toBe(5);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    expect(pages.at(-1)!.pageInfo.endCursor).toEqual(expect.any(String));
  });

  it("returns everything on one page when it fits, and defaults to 20 per page", async () => {
    const { admin } = await adminWithUnits(3);
    const page = await trail({ principalId: admin.principalId!, first: 3 });
    expect(page.edges).toHaveLength(3);
    expect(page.pageInfo.hasNextPage).toBe(false);
    const { admin: busy } = await adminWithUnits(21);
    const first = await trail({ principalId: busy.principalId! });
    expect(first.edges).toHaveLength(20);
    expect(first.totalCount).toBe(21);
    expect(first.pageInfo.hasNextPage).toBe(true);
  });

  it("combines the record and principal filters", async () => {
    const { admin, unitIds } = await adminWithUnits(2);
    const other = await t.newCaller("ADMIN");
    expect(
      (await trail({ entityId: unitIds[0], principalId: admin.principalId! })).edges.map(
        (e) => e.node.entityId,
      ),
    ).toEqual([unitIds[0]]);
    expect(await trail({ entityId: unitIds[0], principalId: other.principalId! })).toMatchObject({
      totalCount: 0,
      edges: [],
    });
  });

  it("finds nothing for an unknown record, an unknown principal or a principal id that is not a UUID", async () => {
    const empty = { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    expect(await trail({ entityId: randomUUID() })).toEqual(empty);
    expect(await trail({ principalId: randomUUID() })).toEqual(empty);
    expect(await trail({ principalId: "not-a-uuid" })).toEqual(empty);
  });

  it("refuses a page size outside 1 to 100 and a cursor it did not issue", async () => {
    const auditor = await t.as("AUDITOR");
    expect(errorOf(await auditor.op("AuditTrail", { first: 0 }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "first",
    });
    expect(errorOf(await auditor.op("AuditTrail", { first: 101 }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "first",
    });
    expect(errorOf(await auditor.op("AuditTrail", { first: 1, after: "garbage" }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "after",
    });
    const forged = Buffer.from(JSON.stringify(["1; drop table audit_log"])).toString("base64url");
    expect(errorOf(await auditor.op("AuditTrail", { first: 1, after: forged }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "after",
    });
    ok(await auditor.op("AuditTrail", { first: 100 }));
  });
});

describe("the chain on the shared database", () => {
  it("verifies every record written so far", async () => {
    const admin = await t.as("ADMIN");
    ok(await admin.op("CreateUnit", { input: unitInput() }));
    const [{ n }] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
    const { verifyAuditChain } = ok(await (await t.as("AUDITOR")).op("VerifyAuditChain"));
    expect(verifyAuditChain).toEqual({
      ok: true,
      checked: expect.any(Number),
      firstBrokenSeq: null,
      problem: null,
    });
    expect(verifyAuditChain.checked).toBeGreaterThanOrEqual(n);
  });

  it("stays intact and gapless under concurrent mutations and refusals", async () => {
    const admin = await t.newCaller("ADMIN");
    const hr = await t.newCaller("HR");
    await Promise.all([
      ...Array.from({ length: 8 }, () => admin.op("CreateUnit", { input: unitInput() }).then(ok)),
      ...Array.from({ length: 4 }, () => hr.op("CreateUnit", { input: unitInput() })),
    ]);
    const mine = (await trail({ principalId: admin.principalId!, first: 100 })).edges.map(
      (e) => e.node.seq,
    );
    const refused = await trail({ principalId: hr.principalId!, first: 100 });
    expect(new Set(mine).size).toBe(8);
    expect(refused.totalCount).toBe(4);
    expect(ok(await (await t.as("AUDITOR")).op("VerifyAuditChain")).verifyAuditChain).toMatchObject(
      { ok: true, firstBrokenSeq: null },
    );
  });

  it("chains each record onto the one before it", async () => {
    const admin = await t.as("ADMIN");
    const district = await createDistrict(admin);
    const [unit] = await t.database.db.select().from(units).where(eq(units.code, district));
    const [row] = await auditRowsOfEntity(t.database.db, unit.id);
    const [previous] = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.seq, row.seq - 1));
    expect(row.prevHash).toBe(previous ? previous.hash : GENESIS_HASH);
    const { prevHash, hash, ...record } = row;
    expect(record.keyId).toBe("test-audit");
    expect(hash).toBe(testAuditKeys().macWith("test-audit", canonical(prevHash, record)));
    expect(canonical(prevHash, record)).not.toMatch(/Test admin/);
  });
});

describe("the write-once guard on audit_log", () => {
  /** A record this test file wrote, to aim the statements at. */
  async function someRecord() {
    const admin = await t.as("ADMIN");
    const { unit } = ok(await admin.op("CreateUnit", { input: unitInput() })).createUnit;
    return (await auditRowsOfEntity(t.database.db, unit.id))[0];
  }

  it.each([
    [
      "UPDATE",
      (seq: number) => sql`update audit_log set action = 'nothingHappened' where seq = ${seq}`,
    ],
    ["UPDATE of every row", () => sql`update audit_log set outcome = outcome`],
    ["DELETE", (seq: number) => sql`delete from audit_log where seq = ${seq}`],
    ["DELETE of every row", () => sql`delete from audit_log`],
    ["TRUNCATE", () => sql`truncate audit_log`],
  ])("refuses %s, and the record stays as written", async (_, statement) => {
    const record = await someRecord();
    // Always rolled back, so that even a missing guard could not damage the shared database.
    const error = await failureInRolledBackTransaction(t.database.db, (tx) =>
      tx.execute(statement(record.seq)),
    );
    expect(errorText(error)).toMatch(/audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused/);
    expect(await auditRowsOfEntity(t.database.db, record.entityId!)).toEqual([record]);
  });
});

describe("tampering", () => {
  const entries = (n: number): AuditEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      action: `action${i + 1}`,
      entity: "Unit",
      entityId: randomUUID(),
      outcome: "SUCCESS",
    }));
  const actor = {
    principal: { id: randomUUID(), name: "Writer", role: "ADMIN" as const },
    requestId: "test-tampering",
    auditKeys: testAuditKeys(),
  };

  const INTACT = { ok: true, checked: 6, firstBrokenSeq: null, problem: null };

  let priv: Awaited<ReturnType<typeof openPrivateDatabase>>;
  beforeAll(async () => {
    priv = await openPrivateDatabase();
    await priv.database.db.transaction((tx) => appendAudit(tx, actor, entries(3)));
    await priv.database.db.transaction((tx) =>
      appendAudit(tx, { ...actor, principal: null, requestId: "test-tampering-2" }, entries(3)),
    );
  });
  afterAll(() => priv.drop());

  it("starts from an intact chain of six records", async () => {
    expect(await verifyChain(priv.database.db, testAuditKeys())).toEqual(INTACT);
    expect(await verifyChain(priv.database.db, testAuditKeys(), { batch: 4 })).toEqual(INTACT);
  });

  /** Tampers and verifies inside one transaction that is then rolled back, so each case starts from the intact chain. */
  async function verifyTampered(
    tamperWith: (tx: Queryable) => Promise<unknown>,
  ): Promise<ChainReport | undefined> {
    let report: ChainReport | undefined;
    const error = await failureInRolledBackTransaction(priv.database.db, async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tamperWith(tx);
      report = await verifyChain(tx, testAuditKeys());
    });
    expect(error).toBeUndefined();
    return report;
  }

  it.each([
    ["a changed action", sql`update audit_log set action = 'harmless' where seq = 3`, 3, 2],
    ["a changed digest", sql`update audit_log set digest = md5(digest) where seq = 2`, 2, 1],
    ["a record unkeyed", sql`update audit_log set key_id = null where seq = 5`, 5, 4],
    [
      "a record keyed with an unknown key",
      sql`update audit_log set key_id = 'other' where seq = 5`,
      5,
      4,
    ],
    [
      "a changed principal",
      sql`update audit_log set principal_id = null, principal_role = null where seq = 2`,
      2,
      1,
    ],
    ["a changed outcome", sql`update audit_log set outcome = 'DENIED' where seq = 5`, 5, 4],
    ["a backdated time", sql`update audit_log set at = at - interval '1 day' where seq = 4`, 4, 3],
    [
      "a changed record id",
      sql`update audit_log set entity_id = 'someone-else' where seq = 1`,
      1,
      0,
    ],
    [
      "a changed request id",
      sql`update audit_log set request_id = 'elsewhere' where seq = 6`,
      6,
      5,
    ],
    ["a deleted record", sql`delete from audit_log where seq = 3`, 3, 2],
    ["a renumbered record", sql`update audit_log set seq = 60 where seq = 6`, 6, 5],
    [
      "a forged record appended",
      sql`insert into audit_log select 7, at, principal_id, principal_role, 'forged', entity, entity_id, outcome, request_id, ${"f".repeat(64)}, hash from audit_log where seq = 6`,
      7,
      6,
    ],
  ])(
    "finds %s and names the first broken record",
    async (_, statement, firstBrokenSeq, checked) => {
      expect(await verifyTampered((tx) => tx.execute(statement))).toEqual({
        ok: false,
        checked,
        firstBrokenSeq,
        problem: expect.stringMatching(/^(record|records) \d+ /),
      });
      expect(await verifyChain(priv.database.db, testAuditKeys())).toEqual(INTACT);
    },
  );

  it("finds a record rewritten with a hash computed without AUDIT_KEY, and its successors relinked", async () => {
    const report = await verifyTampered(async (tx) => {
      // All a database user can compute: sha256 hashes, relinking every later record too.
      let prevHash = GENESIS_HASH;
      for (const row of await tx.select().from(auditLog).orderBy(auditLog.seq)) {
        const { prevHash: _p, hash: _h, ...record } = row;
        const forged = { ...record, action: row.seq === 2 ? "harmless" : row.action };
        const hash = legacyHash(prevHash, { ...forged, keyId: null });
        await tx
          .update(auditLog)
          .set({ action: forged.action, keyId: null, prevHash, hash })
          .where(eq(auditLog.seq, row.seq));
        prevHash = hash;
      }
    });
    expect(report).toEqual({
      ok: false,
      checked: 6,
      firstBrokenSeq: 6,
      problem: "no record is keyed with AUDIT_KEY yet: start the server once to anchor the chain",
    });
  });

  it("finds an altered record committed behind the trigger's back", async () => {
    const own = await openPrivateDatabase();
    try {
      await own.database.db.transaction((tx) => appendAudit(tx, actor, entries(4)));
      await tamper(own.database.db, sql`update audit_log set action = 'harmless' where seq = 2`);
      expect(await verifyChain(own.database.db, testAuditKeys())).toEqual({
        ok: false,
        checked: 1,
        firstBrokenSeq: 2,
        problem: "record 2 was changed after it was written",
      });
    } finally {
      await own.drop();
    }
  });
});

describe("the audit:verify command and verifyAuditChain on a tampered database", () => {
  it("exits 0 on an intact chain and 1, naming the record, once a record is altered", async () => {
    const target = await openProcessDatabase();
    try {
      const auditorToken = await target.use(async (database) => {
        await database.db.transaction((tx) =>
          appendAudit(tx, { principal: null, requestId: "test-cli", auditKeys: testAuditKeys() }, [
            { action: "createUnit", entity: "Unit", entityId: randomUUID(), outcome: "SUCCESS" },
            {
              action: "createOfficer",
              entity: "Officer",
              entityId: randomUUID(),
              outcome: "SUCCESS",
            },
            { action: "officers", entity: null, entityId: null, outcome: "DENIED" },
          ]),
        );
        return (
          await issuePrincipal(database.db, fixtureActor(), { role: "AUDITOR", name: "Inspector" })
        ).token;
      });

      const intact = await runCli("audit-verify", [], target.env);
      expect(intact).toMatchObject({ code: 0, stderr: "" });
      expect(JSON.parse(intact.stdout)).toEqual({
        ok: true,
        checked: 4,
        firstBrokenSeq: null,
        problem: null,
      });

      await target.use((database) =>
        tamper(database.db, sql`update audit_log set action = 'units' where seq = 3`),
      );

      const broken = await runCli("audit-verify", [], target.env);
      expect(broken.code).toBe(1);
      const problem = "record 3 was changed after it was written";
      expect(JSON.parse(broken.stdout)).toEqual({
        ok: false,
        checked: 2,
        firstBrokenSeq: 3,
        problem,
      });
      expect(broken.stderr).toMatch(`audit chain broken: ${problem}`);

      await target.use((database) =>
        withServer(database, async (op) => {
          expect(ok(await op("VerifyAuditChain", auditorToken)).verifyAuditChain).toEqual({
            ok: false,
            checked: 2,
            firstBrokenSeq: 3,
            problem,
          });
        }),
      );
    } finally {
      await target.drop();
    }
  });

  it("exits 1 when the database cannot be reached", async () => {
    const run = await runCli("audit-verify", [], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
  });
});
