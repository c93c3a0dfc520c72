import "reflect-metadata";
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { verifyChain } from "../src/audit/audit.verify";
import { loadConfig } from "../src/config";
import { createContext, inTransaction } from "../src/context";
import {
  openDatabase,
  PLANNED_PER_CALL,
  prepared,
  preparedRows,
  rows,
  type Database,
  type Queryable,
} from "../src/db/client";
import { isRetryableInTransaction } from "../src/db/errors";
import { todayIn } from "../src/common/clock";
import { createLoaders } from "../src/loaders";
import { TRANSIENT_FAULT } from "../src/graphql/format-error";
import { createLogger } from "../src/logger";
import { complaintInput } from "./helpers/complaints";
import {
  onPostgres,
  openPrivateDatabase,
  openTestDatabase,
  testAuditKeys,
} from "./helpers/database";
import {
  appName,
  backendsOf,
  eventually,
  holdLock,
  intakeLedger,
  numberingGaps,
  postgresProxy,
  readyStatus,
  startSenimOn,
  submitTo,
  terminate,
  type SubmitResult,
} from "./helpers/faults";
import { stopAll, type SenimProcess } from "./helpers/process";
import { ok, startTestServer } from "./helpers/server";
import { createOfficer } from "./helpers/factories";

/**
 * A form no other test sends: its incident time, to the millisecond, finds the complaints it made (what the
 * citizen typed is sealed under keys the server processes generate, which the test does not hold).
 */
const uniqueForm = () =>
  complaintInput({
    incidentAt: new Date(
      Date.now() - 86_400_000 - Math.floor(Math.random() * 86_400_000),
    ).toISOString(),
  });

// Server processes start in seconds; a lock wait is held on purpose for a while.
jest.setTimeout(120_000);
afterAll(stopAll);

const requestId = () => `faults-${randomUUID()}`;
const transientFault = { code: "INTERNAL_SERVER_ERROR", message: TRANSIENT_FAULT };

/** Promise.withResolvers, which Node 20 lacks. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("database limits in the configuration", () => {
  const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: "test", ...env });

  it("bounds statements, lock waits, idle transactions and connecting by default", () => {
    expect(config({})).toMatchObject({
      dbPoolMax: 10,
      dbPreparedStatements: true,
      dbStatementTimeoutMs: 15_000,
      dbLockTimeoutMs: 5_000,
      dbIdleInTransactionTimeoutMs: 60_000,
      dbConnectTimeoutMs: 5_000,
      dbApplicationName: "senim",
    });
  });

  it("takes 0 to turn a timeout off, and a name for the connections", () => {
    expect(
      config({
        DB_STATEMENT_TIMEOUT_MS: "0",
        DB_LOCK_TIMEOUT_MS: "0",
        DB_APPLICATION_NAME: "senim-api-2",
        DB_PREPARED_STATEMENTS: "off",
      }),
    ).toMatchObject({
      dbPreparedStatements: false,
      dbStatementTimeoutMs: 0,
      dbLockTimeoutMs: 0,
      dbApplicationName: "senim-api-2",
    });
  });

  it("names every bad database variable at once", () => {
    const bad = {
      DB_POOL_MAX: "0",
      DB_PREPARED_STATEMENTS: "500",
      DB_STATEMENT_TIMEOUT_MS: "15s",
      DB_LOCK_TIMEOUT_MS: "-1",
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: "1e4",
      DB_CONNECT_TIMEOUT_MS: "50",
      DB_APPLICATION_NAME: "сеним",
    };
    const problems = (() => {
      try {
        config(bad);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    for (const name of Object.keys(bad)) expect(problems).toContain(name);
    expect(problems).not.toContain("сеним"); // the value is not repeated back
  });
});

const onPostgresOnly = onPostgres ? describe : describe.skip;

onPostgresOnly(
  "database faults (PostgreSQL only; PGlite runs in process and has no connection to lose)",
  () => {
    /** A database of this file's own: the server processes use it, and its connections may be killed. */
    let own: Awaited<ReturnType<typeof openPrivateDatabase>>;
    let db: Database["db"];
    beforeAll(async () => {
      own = await openPrivateDatabase();
      db = own.database.db;
    });
    afterAll(() => own?.drop());

    /** The SNM counters, locked: a submission then waits in its transaction, in flight for as long as the test wants. */
    const lockCounters = () =>
      holdLock(db, sql`select * from tracking_counters where scope = 'SNM' for update`);

    const complaintsAt = async (incidentAt: string) => {
      const [{ n }] = await rows<{ n: number }>(
        db,
        sql`select count(*)::int as n from complaints where incident_at = ${incidentAt}`,
      );
      return n;
    };
    const keyRow = async (key: string) =>
      (
        await rows<{ key: string }>(
          db,
          sql`select key::text as key from idempotency_keys where key = ${key}::uuid`,
        )
      ).length;
    const auditRowsOf = async (request: string) =>
      (
        await rows<{ seq: number }>(
          db,
          sql`select seq from audit_log where request_id = ${request}`,
        )
      ).length;

    /** The statements this connection holds prepared, asked in a statement that is not named itself. */
    const preparedOn = async (database: Database) =>
      (
        await rows<{ statement: string }>(
          database.db,
          sql`select ${PLANNED_PER_CALL} statement from pg_prepared_statements order by prepare_time`,
        )
      ).map((p) => p.statement);
    const plusOne = prepared((db) =>
      preparedRows<{ v: number }, { n: number }>(
        db,
        sql`select ${sql.placeholder("n")}::int + 1 as v`,
      ),
    );

    it("runs statements as named statements, each text prepared once per connection", async () => {
      const database = await openDatabase({ databaseUrl: own.url!, poolMax: 1 });
      try {
        const other = async () =>
          (await rows<{ v: string }>(database.db, sql`select ${"other"}::text as v`))[0].v;
        const values = [];
        for (const n of [1, 2, 3])
          values.push((await plusOne(database.db, { n }))[0].v, await other());
        expect(values).toEqual([2, "other", 3, "other", 4, "other"]);
        expect(await preparedOn(database)).toEqual([
          "select $1::int + 1 as v",
          "select $1::text as v",
        ]);
      } finally {
        await database.close();
      }
    });

    it("names nothing with DB_PREPARED_STATEMENTS=off, as a transaction-mode pooler needs", async () => {
      const database = await openDatabase({
        databaseUrl: own.url!,
        poolMax: 1,
        preparedStatements: false,
      });
      try {
        expect((await plusOne(database.db, { n: 41 }))[0].v).toBe(42);
        expect(await preparedOn(database)).toEqual([]);
      } finally {
        await database.close();
      }
    });

    it("never names a statement marked PLANNED_PER_CALL: PostgreSQL plans it for each call's values", async () => {
      const database = await openDatabase({ databaseUrl: own.url!, poolMax: 1 });
      try {
        const marked = async (n: number) =>
          (
            await rows<{ v: number }>(database.db, sql`select ${PLANNED_PER_CALL} ${n}::int as v`)
          )[0].v;
        expect([await marked(1), await marked(2)]).toEqual([1, 2]);
        expect(await preparedOn(database)).toEqual([]);
        const markedRead = prepared((db) =>
          preparedRows(db, sql`select ${PLANNED_PER_CALL} ${sql.placeholder("n")}::int as v`),
        );
        expect(() => markedRead(database.db, { n: 1 })).toThrow(/PLANNED_PER_CALL/);
      } finally {
        await database.close();
      }
    });

    it("keeps serving an officer's history after a migration adds a column (its prepared statements name their columns)", async () => {
      const t = await startTestServer({}, { privateDatabase: true });
      try {
        const officer = await createOfficer(await t.as("ADMIN"));
        const investigator = await t.as("INVESTIGATOR");
        const history = async () =>
          ok(
            await investigator.query(
              `query($b: String!) { officer(badgeNumber: $b) { allegations(first: 5) { totalCount edges { node { id } } } commendations(first: 5) { totalCount edges { node { id } } } } }`,
              { b: officer.badgeNumber },
            ),
          ).officer;
        // Past the five calls after which PostgreSQL may keep a plan, on each of the pool's connections.
        for (let i = 0; i < 12; i++) await history();
        await rows(t.database.db, sql`alter table allegations add column later_note text`);
        await rows(t.database.db, sql`alter table commendations add column later_note text`);
        for (let i = 0; i < 4; i++) {
          expect(await history()).toEqual({
            allegations: { totalCount: 0, edges: [] },
            commendations: { totalCount: 0, edges: [] },
          });
        }
      } finally {
        await t.close();
      }
    });

    describe("a backend terminated under the driver", () => {
      /** A pool of one connection, so that every statement below runs on the backend the test kills. */
      let database: Database;
      beforeAll(async () => {
        database = await openDatabase({ databaseUrl: own.url!, poolMax: 1 });
        await rows(db, sql`create table if not exists fault_probe (marker text not null)`);
      });
      afterAll(() => database.close());

      const backendPid = async (on: Queryable) =>
        (await rows<{ pid: number }>(on, sql`select pg_backend_pid() as pid`))[0].pid;
      const probes = async (marker: string) =>
        (
          await rows<{ n: number }>(
            db,
            sql`select count(*)::int as n from fault_probe where marker like ${`${marker}%`}`,
          )
        )[0].n;
      const settle = (work: Promise<unknown>) =>
        work.then(
          () => "fulfilled",
          (e: unknown) => (isRetryableInTransaction(e) ? "retryable" : `other: ${String(e)}`),
        );

      it("inside a transaction: the transaction fails with a retryable error, nothing of it commits (not even a statement sent after the kill), and the pool serves again", async () => {
        const marker = `in-tx-${randomUUID()}`;
        const outcome = await settle(
          database.db.transaction(async (tx) => {
            await tx.execute(sql`insert into fault_probe values (${`${marker}-before`})`);
            expect(await terminate(db, [await backendPid(tx)])).toBe(1);
            // The transaction is dead: a statement sent now must not run on a new connection outside it.
            const after = await settle(
              tx.execute(sql`insert into fault_probe values (${`${marker}-after`})`),
            );
            expect(after).not.toBe("fulfilled");
          }),
        );
        expect(outcome).toBe("retryable");
        expect(await probes(marker)).toBe(0);
        expect(await backendPid(database.db)).toEqual(expect.any(Number));
      });

      it("inside a pipelined wave of loader statements: every statement of the wave fails with a retryable error, and the next request's loaders work", async () => {
        const nobody = randomUUID();
        const pid = await backendPid(database.db);
        const loaders = createLoaders(database.db, new Date(), todayIn("Asia/Almaty"));
        // The sleep goes first on the one connection, so the loaders' statements are pipelined behind it.
        const wave = [
          rows(database.db, sql`select pg_sleep(5)`),
          loaders.officerById.load(nobody),
          loaders.assignmentsByOfficerId.load(nobody),
          loaders.unitByCode.load("MVD"),
        ].map(settle);
        await eventually("the wave in flight", async () =>
          (
            await rows(
              db,
              sql`select 1 from pg_stat_activity where pid = ${pid} and query like '%pg_sleep%'`,
            )
          ).length
            ? true
            : null,
        );
        expect(await terminate(db, [pid])).toBe(1);
        expect(await Promise.all(wave)).toEqual([
          "retryable",
          "retryable",
          "retryable",
          "retryable",
        ]);
        const next = createLoaders(database.db, new Date(), todayIn("Asia/Almaty"));
        expect((await next.unitByCode.load("MVD"))?.code).toBe("MVD");
        expect(await backendPid(database.db)).not.toBe(pid);
      });
    });

    describe("a connection killed under a request", () => {
      const app = appName("kill");
      let senim: SenimProcess;
      beforeAll(async () => {
        // Generous timeouts: here the lock waits end because the test kills them, never by a timeout.
        senim = await startSenimOn(own.url!, app, {
          DB_LOCK_TIMEOUT_MS: "60000",
          DB_STATEMENT_TIMEOUT_MS: "60000",
        });
        expect((await submitTo(senim.origin, complaintInput(), requestId())).receipt).toBeDefined(); // the year's counter exists
      });
      afterAll(() => senim.stop());

      /** The one server backend blocked on the counters' lock, once there is one that is not in `seen`. */
      const nextWaiter = (seen: number[]) =>
        eventually("a submission waiting on the counter lock", async () => {
          const pids = (await backendsOf(db, app, { waitingOnLock: true })).filter(
            (pid) => !seen.includes(pid),
          );
          return pids.length === 1 ? pids[0] : null;
        });

      it("runs the transaction again on a new connection: the client gets its receipt and one complaint exists", async () => {
        const input = uniqueForm();
        const lock = await lockCounters();
        const pending = submitTo(senim.origin, input, requestId());
        try {
          const first = await nextWaiter([]);
          expect(await terminate(db, [first])).toBe(1);
          await nextWaiter([first]); // the second attempt, on another connection, waits on the same lock
        } finally {
          await lock.release();
        }

        const result = await pending;
        expect(result.error).toBeUndefined();
        expect(result.receipt?.trackingNumber).toMatch(/^SNM-\d{4}-\d{6}$/);
        expect(await complaintsAt(input.incidentAt)).toBe(1);
        expect(senim.logLines().some((line) => line.msg.includes("running it again"))).toBe(true);
        expect(senim.child.exitCode).toBeNull();
      });

      it("answers a masked, retryable error when the second attempt dies too; nothing is written and the same form then goes through once", async () => {
        const input = uniqueForm();
        const failedRequest = requestId();
        const lock = await lockCounters();
        const pending = submitTo(senim.origin, input, failedRequest);
        try {
          const first = await nextWaiter([]);
          await terminate(db, [first]);
          await terminate(db, [await nextWaiter([first])]);
          await pending;
        } finally {
          await lock.release();
        }
        const result = await pending;

        expect(result.error).toEqual(transientFault);
        expect(JSON.stringify(result)).not.toMatch(/terminat|SQL|select|insert/i);
        expect(await complaintsAt(input.incidentAt)).toBe(0);
        expect(await keyRow(input.idempotencyKey)).toBe(0);
        expect(result.requestId).toBeDefined();
        expect(await auditRowsOf(result.requestId!)).toBe(0);

        const retried = await submitTo(senim.origin, input, requestId());
        expect(retried.receipt).toBeDefined();
        expect(await complaintsAt(input.incidentAt)).toBe(1);
      });

      it("replaces every connection killed between requests: the next requests succeed", async () => {
        // Requests first, so that the pool holds idle connections (it closes them after 10 s unused).
        await Promise.all(
          Array.from({ length: 3 }, () => submitTo(senim.origin, complaintInput(), requestId())),
        );
        expect(await terminate(db, await backendsOf(db, app))).toBeGreaterThan(0);
        const results = await Promise.all(
          Array.from({ length: 8 }, () => submitTo(senim.origin, complaintInput(), requestId())),
        );
        expect(results.map((r) => r.error ?? "ok")).toEqual(results.map(() => "ok"));
        expect(await readyStatus(senim.origin)).toBe(200);
        const lost = senim.logLines().filter((line) => line.msg === "database connection lost");
        expect(lost.length).toBeGreaterThan(0);
        // The driver's code and message only: never the client, its connection parameters or statements.
        for (const line of lost) {
          const { level, time, pid, hostname, service, msg, ...rest } = line;
          expect({ level, time, pid, hostname, service, msg }).toBeDefined();
          expect(rest).toEqual({ code: "CONNECTION_CLOSED", reason: expect.any(String) });
        }
      });
    });

    describe("timeouts", () => {
      /** A submission stuck behind the counter lock until the server's own timeout ends it. */
      async function stuckSubmission(senim: SenimProcess) {
        const input = uniqueForm();
        const lock = await lockCounters();
        try {
          const result = await submitTo(senim.origin, input, requestId());
          return { input, request: result.requestId!, result };
        } finally {
          await lock.release();
        }
      }

      async function expectNothingWritten({
        input,
        request,
      }: {
        input: Record<string, unknown>;
        request: string;
      }) {
        expect(await complaintsAt(input.incidentAt as string)).toBe(0);
        expect(await keyRow(input.idempotencyKey as string)).toBe(0);
        expect(await auditRowsOf(request)).toBe(0);
        expect(await verifyChain(db, testAuditKeys())).toMatchObject({
          ok: true,
          firstBrokenSeq: null,
        });
      }

      it("gives up a lock wait after DB_LOCK_TIMEOUT_MS: a masked, retryable error, nothing half-written, the chain intact", async () => {
        const senim = await startSenimOn(own.url!, appName("lock"), { DB_LOCK_TIMEOUT_MS: "300" });
        try {
          const stuck = await stuckSubmission(senim);
          expect(stuck.result.error).toEqual(transientFault);
          await expectNothingWritten(stuck);
          // The server goes on: the same form, once the lock is gone, is registered once.
          expect((await submitTo(senim.origin, stuck.input, requestId())).receipt).toBeDefined();
          expect(await complaintsAt(stuck.input.incidentAt)).toBe(1);
          expect(senim.child.exitCode).toBeNull();
        } finally {
          await senim.stop();
        }
      });

      it("cancels a statement after DB_STATEMENT_TIMEOUT_MS the same way", async () => {
        // No lock timeout: only the statement timeout can end the wait.
        const senim = await startSenimOn(own.url!, appName("statement"), {
          DB_STATEMENT_TIMEOUT_MS: "300",
          DB_LOCK_TIMEOUT_MS: "0",
        });
        try {
          const stuck = await stuckSubmission(senim);
          expect(stuck.result.error).toEqual(transientFault);
          await expectNothingWritten(stuck);
          expect((await submitTo(senim.origin, stuck.input, requestId())).receipt).toBeDefined();
          expect(await complaintsAt(stuck.input.incidentAt)).toBe(1);
          // The log has the cause for the operator, under the request's id.
          expect(
            senim
              .logLines()
              .some(
                (line) =>
                  line.requestId === stuck.request && JSON.stringify(line).includes("57014"),
              ),
          ).toBe(true);
        } finally {
          await senim.stop();
        }
      });
    });

    describe("a PostgreSQL restart, as a server process sees it", () => {
      it("fails the requests in flight and those during the outage with a retryable error, then serves again by itself", async () => {
        // Through a relay: its connections are reset and refused as in a restart, the shared server is left alone.
        const relay = await postgresProxy(own.url!);
        const app = appName("restart");
        const senim = await startSenimOn(relay.url, app, {
          DB_CONNECT_TIMEOUT_MS: "1000",
          DB_LOCK_TIMEOUT_MS: "60000",
          DB_STATEMENT_TIMEOUT_MS: "60000",
        });
        try {
          expect(
            (await submitTo(senim.origin, complaintInput(), requestId())).receipt,
          ).toBeDefined();
          const inFlight = uniqueForm();
          const lock = await lockCounters();
          let pending: Promise<SubmitResult>;
          try {
            pending = submitTo(senim.origin, inFlight, requestId());
            await eventually(
              "the submission to wait on the lock",
              async () => (await backendsOf(db, app, { waitingOnLock: true })).length === 1,
            );
            await relay.stop();
            expect((await pending).error).toEqual(transientFault);
          } finally {
            await lock.release();
          }
          const during = uniqueForm();
          expect((await submitTo(senim.origin, during, requestId())).error).toEqual(transientFault);
          expect(await readyStatus(senim.origin)).toBe(503);

          await relay.start();
          await eventually(
            "/readyz to say 200",
            async () => (await readyStatus(senim.origin)) === 200,
          );
          for (const form of [inFlight, during]) {
            expect(await complaintsAt(form.incidentAt)).toBe(0); // nothing of the failed requests was written
            expect((await submitTo(senim.origin, form, requestId())).receipt).toBeDefined();
            expect(await complaintsAt(form.incidentAt)).toBe(1);
          }
          expect(senim.child.exitCode).toBeNull();
        } finally {
          await senim.stop();
          await relay.close();
        }
      });
    });

    describe("a full pool", () => {
      it("fails a request that waits longer than DB_CONNECT_TIMEOUT_MS for a connection, and serves again once one is free", async () => {
        const app = appName("pool");
        const senim = await startSenimOn(own.url!, app, {
          DB_POOL_MAX: "1",
          DB_CONNECT_TIMEOUT_MS: "300",
          DB_LOCK_TIMEOUT_MS: "60000",
          DB_STATEMENT_TIMEOUT_MS: "60000",
        });
        try {
          const lock = await lockCounters();
          // The first submission holds the only connection while it waits on the lock.
          const holding = submitTo(senim.origin, complaintInput(), requestId());
          try {
            await eventually(
              "the first submission to wait on the lock",
              async () => (await backendsOf(db, app, { waitingOnLock: true })).length === 1,
            );
            const queued = uniqueForm();
            expect((await submitTo(senim.origin, queued, requestId())).error).toEqual(
              transientFault,
            );
            expect(await readyStatus(senim.origin)).toBe(503);
            expect(await complaintsAt(queued.incidentAt)).toBe(0);
          } finally {
            await lock.release();
          }
          expect((await holding).receipt).toBeDefined();
          expect(
            (await submitTo(senim.origin, complaintInput(), requestId())).receipt,
          ).toBeDefined();
          expect(await readyStatus(senim.origin)).toBe(200);
        } finally {
          await senim.stop();
        }
      });
    });

    describe("a deadlock", () => {
      it("runs the victim's transaction once more: both commit, each with one audit record", async () => {
        const lines: string[] = [];
        const log = createLogger(
          "warn",
          new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
        );
        const config = loadConfig({
          NODE_ENV: "test",
          ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
        });
        const deps = {
          database: own.database,
          config,
          log,
          keys: config.encryptionKeys!,
          auditKeys: testAuditKeys(),
        };
        const [a, b] = ["A", "B"].map((side) => `DL${side}-${randomBytes(4).toString("hex")}`);
        await db.execute(
          sql`insert into tracking_counters (scope, year, last) values (${a}, 0, 0), (${b}, 0, 0)`,
        );

        const locked = { [a]: deferred(), [b]: deferred() };
        /** Locks `first`, waits until the other side holds its first row, then asks for `second`: a cycle. */
        const crossing = async (first: string, second: string) =>
          inTransaction(
            await createContext(deps, { requestId: requestId() }),
            async (tx, audit) => {
              await tx.execute(
                sql`update tracking_counters set last = last + 1 where scope = ${first} and year = 0`,
              );
              locked[first].resolve();
              await locked[second].promise;
              await tx.execute(
                sql`update tracking_counters set last = last + 1 where scope = ${second} and year = 0`,
              );
              audit({ action: "deadlockProbe", entity: "TrackingCounter", entityId: first });
            },
          );
        await Promise.all([crossing(a, b), crossing(b, a)]);

        const counters = await rows<{ scope: string; last: number }>(
          db,
          sql`select scope, last from tracking_counters where scope in (${a}, ${b}) order by scope`,
        );
        expect(counters).toEqual([
          { scope: a, last: 2 },
          { scope: b, last: 2 },
        ]); // each committed transaction added one to both; the victim's first attempt left nothing
        const audited = await rows<{ entityId: string }>(
          db,
          sql`select entity_id as "entityId" from audit_log where action = 'deadlockProbe' and entity_id in (${a}, ${b}) order by entity_id`,
        );
        expect(audited).toEqual([{ entityId: a }, { entityId: b }]);
        expect(
          lines.filter((line) => line.includes("running it again") && line.includes("40P01")),
        ).toHaveLength(1);
        expect(await verifyChain(db, testAuditKeys())).toMatchObject({ ok: true });
      });
    });

    describe("/readyz", () => {
      it("says 503 while the database refuses connections and 200 again after, and the server serves again by itself", async () => {
        const blocked = await openPrivateDatabase();
        const admin = await openTestDatabase(); // connected elsewhere, so it can lock the private database's door
        const name = sql.identifier(new URL(blocked.url!).pathname.slice(1));
        const senim = await startSenimOn(blocked.url!, appName("ready"), {
          DB_CONNECT_TIMEOUT_MS: "1000",
        });
        try {
          expect(await readyStatus(senim.origin)).toBe(200);
          const input = uniqueForm();

          await admin.db.execute(sql`alter database ${name} allow_connections false`);
          await admin.db.execute(
            sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${new URL(blocked.url!).pathname.slice(1)}`,
          );
          await eventually(
            "/readyz to say 503",
            async () => (await readyStatus(senim.origin)) === 503,
          );
          const during = await submitTo(senim.origin, input, requestId());
          expect(during.error).toEqual(transientFault);
          expect(await readyStatus(senim.origin)).toBe(503);

          await admin.db.execute(sql`alter database ${name} allow_connections true`);
          await eventually(
            "/readyz to say 200",
            async () => (await readyStatus(senim.origin)) === 200,
          );
          const after = await submitTo(senim.origin, input, requestId());
          expect(after.receipt).toBeDefined();
          const [{ n }] = await rows<{ n: number }>(
            blocked.database.db,
            sql`select count(*)::int as n from complaints where incident_at = ${input.incidentAt}`,
          );
          expect(n).toBe(1);
          expect(senim.child.exitCode).toBeNull();
        } finally {
          await admin.db
            .execute(sql`alter database ${name} allow_connections true`)
            .catch(() => {});
          await senim.stop();
          await admin.close();
          await blocked.drop();
        }
      });
    });

    describe("two server processes on one database, hammered together", () => {
      it("keep one complaint and one receipt per form, gapless numbers and an audit record per complaint", async () => {
        const apps = [appName("twin-a"), appName("twin-b")];
        const senims = await Promise.all(
          apps.map((app) => startSenimOn(own.url!, app, { DB_POOL_MAX: "5" })),
        );
        try {
          const forms = Array.from({ length: 60 }, () => uniqueForm());
          // Every form three times at the same moment, to both processes, by 10 clients at once (30 requests in
          // flight: more would only measure how long requests queue for the pools' 5 connections).
          const results: SubmitResult[] = [];
          let next = 0;
          const client = async () => {
            for (let i = next++; i < forms.length; i = next++) {
              const copies = [0, 1, 2].map((n) =>
                submitTo(senims[(i + n) % 2].origin, forms[i], requestId()),
              );
              (await Promise.all(copies)).forEach((result, n) => (results[i * 3 + n] = result));
            }
          };
          await Promise.all(Array.from({ length: 10 }, client));

          expect(results.filter((r) => !r.receipt)).toEqual([]);
          forms.forEach((form, i) => {
            const receipts = results.slice(i * 3, i * 3 + 3).map((r) => r.receipt);
            expect(receipts[1]).toEqual(receipts[0]);
            expect(receipts[2]).toEqual(receipts[0]);
          });
          for (const form of forms.slice(0, 5)) expect(await complaintsAt(form.incidentAt)).toBe(1);

          // The whole database (this file's other tests included): one key per complaint, one record each, no gap.
          const ledger = await intakeLedger(db);
          const byKey = new Map(ledger.complaints.map((c) => [c.key, c.trackingNumber]));
          forms.forEach((form, i) =>
            expect(byKey.get(form.idempotencyKey)).toBe(results[i * 3].receipt!.trackingNumber),
          );
          expect(ledger.complaints.filter((c) => !c.key)).toEqual([]);
          expect(numberingGaps(ledger.complaints.map((c) => c.trackingNumber))).toEqual([]);
          expect([...ledger.auditedIds].sort()).toEqual(ledger.complaints.map((c) => c.id).sort());
          expect(await verifyChain(db, testAuditKeys())).toMatchObject({
            ok: true,
            firstBrokenSeq: null,
          });
          for (const senim of senims) expect(senim.child.exitCode).toBeNull();
        } finally {
          await Promise.all(senims.map((s) => s.stop()));
        }
      });
    });
  },
);
