import { createCipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { openDatabase, type Database, type Db, type Tx } from "../../src/db/client";
import { appendAudit } from "../../src/audit/audit.writer";
import { unwrapRecordKey } from "../../src/crypto/data-keys";
import { KeyRing } from "../../src/crypto/keyring";
import { migrate } from "../../src/db/migrate";

export const onPostgres = Boolean(process.env.DATABASE_URL);

/** The database a test file works on: its own PGlite, or the shared PostgreSQL. */
export async function openTestDatabase(): Promise<Database> {
  // Statements named, as a server process names them by default (DB_PREPARED_STATEMENTS).
  if (process.env.DATABASE_URL)
    return openDatabase({
      databaseUrl: process.env.DATABASE_URL,
      poolMax: 5,
      preparedStatements: true,
    });
  const snapshot = process.env.SENIM_PGLITE_SNAPSHOT;
  if (!snapshot)
    throw new Error("SENIM_PGLITE_SNAPSHOT is not set: run the tests through jest's globalSetup");
  return openDatabase({ pgliteDump: new Blob([readFileSync(snapshot)]) });
}

/**
 * A database nobody else uses, for tests that must break things (tampering with the audit chain).
 * On PostgreSQL a new database is created and dropped; on PGlite a fresh in-memory one. Migrated, unless
 * `empty` (then the test migrates it as far as it wants).
 */
export async function openPrivateDatabase(options: { empty?: boolean } = {}): Promise<{
  database: Database;
  url: string | null;
  drop(): Promise<void>;
}> {
  if (!process.env.DATABASE_URL) {
    const database = options.empty
      ? await openDatabase({ memory: true })
      : await openTestDatabase();
    return { database, url: null, drop: () => database.close() };
  }
  // Named after the test database, so that engineers sharing one server can tell (and clean) their own.
  const base =
    new URL(process.env.DATABASE_URL).pathname
      .slice(1)
      .replace(/[^a-z0-9_]/gi, "")
      .slice(0, 40) || "senim";
  const name = `${base}_private_${randomBytes(6).toString("hex")}`.toLowerCase();
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({
    databaseUrl: url.toString(),
    poolMax: 2,
    preparedStatements: true,
  });
  if (!options.empty) await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** A stored complaint's data key, unwrapped with the test key ring as the server would. */
export const complaintKey = (row: { id: string; dataKey: string | null }) =>
  unwrapRecordKey(KeyRing.parse(process.env.ENCRYPTION_KEYS!), "complaints", row.id, row.dataKey!);

/** How the service sealed a value before values were bound to their place: "v1", no associated data. */
export function sealUnbound(plaintext: string): string {
  const [id, material] = process.env.ENCRYPTION_KEYS!.split(",")[0].split(":");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(material, "base64"), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", id, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

/** The audit key every test process shares (set by the global setup), as the server loads it. */
export const testAuditKeys = () => KeyRing.parse(process.env.AUDIT_KEY!);

/** The test harness as an audit actor: its set-up writes are on the chain like anyone's. */
export const fixtureActor = () => ({
  principal: null,
  requestId: "test-fixture",
  auditKeys: testAuditKeys(),
});

/**
 * Runs a test's direct set-up writes (backdating a deadline, a status no mutation sets) in one transaction
 * with an audit record of them: a case-table write with no record is an UNAUDITED change, which would make
 * every test asserting an intact chain on the shared database fail.
 */
export function asFixture<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await work(tx);
    await appendAudit(tx, fixtureActor(), [
      { action: "testFixture", entity: null, entityId: null, outcome: "SUCCESS" },
    ]);
    return result;
  });
}
