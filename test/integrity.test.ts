import "reflect-metadata";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import {
  anchorChain,
  appendAudit,
  GENESIS_HASH,
  legacyHash,
  type Chained,
} from "../src/audit/audit.writer";
import { verifyChain } from "../src/audit/audit.verify";
import { rows } from "../src/db/client";
import { allegations, auditLog } from "../src/db/schema";
import { openCase } from "./helpers/cases";
import { auditRowsOfRequest, openProcessDatabase, runCli, tamper, traced } from "./helpers/audit";
import { fixtureActor, openPrivateDatabase, testAuditKeys } from "./helpers/database";
import { startLoggedServer } from "./helpers/logged-server";
import { ok, startTestServer, type TestServer } from "./helpers/server";

/** Every test here breaks the record on purpose, so each file's database is its own. */
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({}, { privateDatabase: true });
});
afterAll(() => t.close());

const verify = async (since?: unknown) =>
  ok(await (await t.as("AUDITOR")).op("VerifyAuditChain", since ? { since } : {})).verifyAuditChain;
const trail = async (entityId: string) =>
  ok(await (await t.as("AUDITOR")).op("AuditTrail", { entityId, first: 100 })).auditTrail.edges.map(
    (e: { node: Record<string, unknown> }) => e.node,
  );

describe("the chain vouches for what each change did", () => {
  it("keys every record with AUDIT_KEY and digests the row versions its transaction wrote", async () => {
    const { id, allegationIds } = await openCase(t);
    const [record] = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, id));
    expect(record).toMatchObject({
      action: "submitComplaint",
      keyId: "test-audit",
      inputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The versions written with it: the complaint, its allegations and its first timeline entry.
    const written = await rows<{ entity: string; entity_id: string }>(
      t.database.db,
      sql`select entity, entity_id from row_versions where tx = ${record.tx} order by id`,
    );
    expect(written.map((v) => `${v.entity} ${v.entity_id}`)).toEqual(
      expect.arrayContaining([
        `Complaint ${id}`,
        ...allegationIds.map((a: string) => `Allegation ${a}`),
      ]),
    );
    expect(await verify()).toEqual({
      ok: true,
      checked: expect.any(Number),
      firstBrokenSeq: null,
      problem: null,
    });
  });

  it("finds a row version rewritten behind the service's back (the digest no longer matches)", async () => {
    const { id } = await openCase(t);
    const [record] = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, id));
    const versions = await rows<{ id: number; row_hash: string }>(
      t.database.db,
      sql`select id, row_hash from row_versions where tx = ${record.tx} and entity = 'Complaint'`,
    );
    await tamper(
      t.database.db,
      sql`update row_versions set row_hash = md5(row_hash) where tx = ${record.tx} and entity = 'Complaint'`,
    );
    try {
      expect(await verify()).toEqual({
        ok: false,
        checked: record.seq - 1,
        firstBrokenSeq: record.seq,
        problem: `the rows written with record ${record.seq} (Complaint ${id}) were changed, or their versions removed`,
      });
    } finally {
      for (const v of versions)
        await tamper(
          t.database.db,
          sql`update row_versions set row_hash = ${v.row_hash} where id = ${v.id}`,
        );
    }
    expect(await verify()).toMatchObject({ ok: true, problem: null });
  });
});

describe("a change made behind the service's back", () => {
  it("is recorded as UNAUDITED, named in verifyAuditChain and shown in the allegation's auditTrail", async () => {
    const { allegationIds } = await openCase(t);
    expect(await verify()).toMatchObject({ ok: true, problem: null });
    const [allegation] = allegationIds;
    // As a database user with write access would: no mutation, no token, no audit record.
    await t.database.db
      .update(allegations)
      .set({ finding: "UNFOUNDED" })
      .where(eq(allegations.id, allegation));

    const report = await verify();
    expect(report).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        new RegExp(
          `^Allegation ${allegation} was changed outside the service \\(unauditedUpdate, database session db:\\w+:\\d+\\)$`,
        ),
      ),
    });
    const [seen] = await trail(allegation);
    expect(seen).toMatchObject({
      seq: report.firstBrokenSeq,
      action: "unauditedUpdate",
      entity: "Allegation",
      entityId: allegation,
      outcome: "UNAUDITED",
      principal: null,
    });
    // The service's own writes after it still chain on, and the evidence stays the first problem.
    await openCase(t);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: report.firstBrokenSeq });
  });
});

describe("checkpoints", () => {
  it("signs the head; verifyAuditChain(since:) holds while the chain does and fails once its tail is cut", async () => {
    // A database of its own: cutting the tail breaks every later check.
    const own = await startTestServer({}, { privateDatabase: true });
    try {
      const auditor = await own.as("AUDITOR");
      await openCase(own);
      const checkpoint = ok(await auditor.op("AuditCheckpoint")).auditCheckpoint;
      expect(checkpoint).toEqual({
        seq: expect.any(Number),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        at: expect.any(String),
        signature: expect.stringMatching(/^test-audit\.[0-9a-f]{64}$/),
      });
      await openCase(own);
      const holds = ok(
        await auditor.op("VerifyAuditChain", { since: checkpoint }),
      ).verifyAuditChain;
      expect(holds).toMatchObject({ ok: true, problem: null });

      // A forged checkpoint (a later seq with the same signature) is refused outright.
      const forged = { ...checkpoint, seq: checkpoint.seq + 1 };
      expect(ok(await auditor.op("VerifyAuditChain", { since: forged })).verifyAuditChain).toEqual({
        ok: false,
        checked: 0,
        firstBrokenSeq: checkpoint.seq + 1,
        problem:
          "the checkpoint's signature does not verify: it was not issued with this AUDIT_KEY, or was altered",
      });

      // The owner, past the write-once trigger, cuts the chain back to before the checkpoint.
      await tamper(own.database.db, sql`delete from audit_log where seq >= ${checkpoint.seq - 1}`);
      expect(
        ok(await auditor.op("VerifyAuditChain", { since: checkpoint })).verifyAuditChain,
      ).toEqual({
        ok: false,
        checked: checkpoint.seq - 2,
        firstBrokenSeq: checkpoint.seq - 1,
        problem: `the chain ends at record ${checkpoint.seq - 2}, but the checkpoint of ${checkpoint.at} holds ${checkpoint.seq}: records were removed from its tail`,
      });
    } finally {
      await own.close();
    }
  });

  it("are written to the log every AUDIT_CHECKPOINT_INTERVAL, signed", async () => {
    const logged = await startLoggedServer({ AUDIT_CHECKPOINT_INTERVAL: "1" });
    try {
      const deadline = Date.now() + 10_000;
      while (!logged.lines.some((l) => l.msg === "audit checkpoint") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const line = logged.lines.find((l) => l.msg === "audit checkpoint");
      const c = line?.auditCheckpoint as {
        seq: number;
        hash: string;
        at: string;
        signature: string;
      };
      expect(c).toMatchObject({
        seq: expect.any(Number),
        signature: expect.stringMatching(/^test-audit\./),
      });
      // Signed with the test key over the record the chain held at that moment (the shared database's
      // chain as a whole is other test files' business).
      expect(c.signature).toBe(
        `test-audit.${testAuditKeys().macWith("test-audit", `checkpoint\n${c.seq}\n${c.hash}\n${c.at}`)}`,
      );
      const [held] = await logged.database.db
        .select({ hash: auditLog.hash })
        .from(auditLog)
        .where(eq(auditLog.seq, c.seq));
      expect(held?.hash ?? GENESIS_HASH).toBe(c.hash);
    } finally {
      await logged.server.close();
      await logged.database.close();
    }
  });
});

describe("npm run audit:verify -- --since", () => {
  it("exits 0 while the chain holds the checkpoint file, 1 once its tail is cut", async () => {
    const target = await openProcessDatabase();
    try {
      const entry = (action: string) => ({
        action,
        entity: null,
        entityId: null,
        outcome: "SUCCESS" as const,
      });
      await target.use((database) =>
        database.db.transaction((tx) =>
          appendAudit(tx, fixtureActor(), [entry("one"), entry("two"), entry("three")]),
        ),
      );
      const made = await runCli("audit-verify", ["--checkpoint"], target.env);
      expect(made.code).toBe(0);
      const file = join(mkdtempSync(join(tmpdir(), "senim-checkpoint-")), "checkpoint.json");
      writeFileSync(file, made.stdout);
      expect(JSON.parse(made.stdout)).toMatchObject({ seq: 3 });

      const holds = await runCli("audit-verify", ["--since", file], target.env);
      expect(holds).toMatchObject({ code: 0, stderr: "" });

      await target.use((database) => tamper(database.db, sql`delete from audit_log where seq = 3`));
      const cut = await runCli("audit-verify", ["--since", file], target.env);
      expect(cut.code).toBe(1);
      expect(JSON.parse(cut.stdout)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
      expect(cut.stderr).toMatch(/records were removed from its tail/);

      const unreadable = await runCli(
        "audit-verify",
        ["--since", join(tmpdir(), "no-such-file.json")],
        target.env,
      );
      expect(unreadable.code).toBe(2);
    } finally {
      await target.drop();
    }
  });
});

describe("a chain written before AUDIT_KEY", () => {
  it("is anchored by a keyed record at start, after which a rewrite of its old records is found", async () => {
    const own = await openPrivateDatabase();
    try {
      const db = own.database.db;
      // Three records as the service chained them before: sha256 alone, no key.
      let prevHash = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const record: Chained = {
          seq,
          at: new Date(Date.UTC(2026, 0, seq)),
          principalId: null,
          principalRole: null,
          action: `legacy${seq}`,
          entity: null,
          entityId: null,
          outcome: "SUCCESS",
          requestId: `legacy-${seq}`,
          keyId: null,
          tx: null,
          inputDigest: null,
          digest: null,
          records: null,
        };
        const hash = legacyHash(prevHash, record);
        await db.insert(auditLog).values({ ...record, prevHash, hash });
        prevHash = hash;
      }
      const keys = testAuditKeys();
      expect(await verifyChain(db, keys)).toMatchObject({
        ok: false,
        problem: "no record is keyed with AUDIT_KEY yet: start the server once to anchor the chain",
      });

      await anchorChain(db, fixtureActor());
      await anchorChain(db, fixtureActor()); // once only
      const chain = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
      expect(chain.map((r) => [r.seq, r.action, r.entityId, r.keyId])).toEqual([
        [1, "legacy1", null, null],
        [2, "legacy2", null, null],
        [3, "legacy3", null, null],
        [4, "anchorAuditChain", "3", "test-audit"],
      ]);
      expect(await verifyChain(db, keys)).toEqual({
        ok: true,
        checked: 4,
        firstBrokenSeq: null,
        problem: null,
      });

      // Rewriting an old record and recomputing every sha256 after it: the anchor's keyed hash gives it away.
      await tamper(db, sql`update audit_log set action = 'harmless' where seq = 2`);
      let relinked = chain[0].hash;
      for (const row of chain.slice(1, 3)) {
        const { prevHash: _p, hash: _h, ...record } = row;
        const hash = legacyHash(relinked, {
          ...record,
          action: row.seq === 2 ? "harmless" : row.action,
        });
        await tamper(
          db,
          sql`update audit_log set prev_hash = ${relinked}, hash = ${hash} where seq = ${row.seq}`,
        );
        relinked = hash;
      }
      expect(await verifyChain(db, keys)).toEqual({
        ok: false,
        checked: 3,
        firstBrokenSeq: 4,
        problem:
          "record 4 does not link to the record before it: a record was changed, removed or inserted",
      });
    } finally {
      await own.drop();
    }
  });
});

describe("the access log", () => {
  const PERSONAL = `query Personal($id: ID!) { complaint(id: $id) { id narrative complainant { fullName } } }`;
  const QUEUE = `query Queue { complaints(first: 100) { edges { node { id narrative } } } }`;
  const STATUS_ONLY = `query Status($id: ID!) { complaint(id: $id) { id status } }`;

  it("writes one READ_PERSONAL_DATA record per request, naming every complaint whose data it returned", async () => {
    const cases = [await openCase(t), await openCase(t), await openCase(t)];
    const investigator = await t.as("SUPERVISOR");
    const one = await traced(t.url, investigator.token, PERSONAL, { id: cases[0].id });
    expect(one.data.complaint.narrative).toEqual(expect.any(String));
    expect(await auditRowsOfRequest(t.database.db, one.requestId)).toEqual([
      expect.objectContaining({
        action: "READ_PERSONAL_DATA",
        entity: "Complaint",
        entityId: cases[0].id,
        records: [cases[0].id],
        principalId: investigator.principalId,
      }),
    ]);

    const queue = await traced(t.url, investigator.token, QUEUE);
    const returned = queue.data.complaints.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(returned.length).toBeGreaterThanOrEqual(3);
    const rowsOfQueue = await auditRowsOfRequest(t.database.db, queue.requestId);
    expect(rowsOfQueue).toEqual([
      expect.objectContaining({
        action: "READ_PERSONAL_DATA",
        entity: "Complaint",
        entityId: null,
      }),
    ]);
    expect(rowsOfQueue[0].records).toEqual([...returned].sort());
    // And each complaint's trail shows the read.
    for (const { id } of cases)
      expect((await trail(id)).map((r: { action: string }) => r.action)).toContain(
        "READ_PERSONAL_DATA",
      );
  });

  it("writes nothing for a request that returned no personal data", async () => {
    const { id } = await openCase(t);
    const read = await traced(t.url, (await t.as("SUPERVISOR")).token, STATUS_ONLY, { id });
    expect(read.data.complaint.status).toBe("REGISTERED");
    expect(await auditRowsOfRequest(t.database.db, read.requestId)).toEqual([]);
  });
});
