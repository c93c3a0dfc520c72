import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";
import { BUILD_DIR, ROOT } from "./process";

/**
 * Runs once before all test files. On PGlite it migrates one database and saves a snapshot that
 * every test file loads (much faster than initdb plus migrations per file); on PostgreSQL it
 * migrates the shared database. It also builds src/ into BUILD_DIR for the tests that start real processes.
 */
export default async function globalSetup() {
  // Two fixed keys (test data only), so that a reused PostgreSQL test database stays readable across runs,
  // and every test runs with a key ring that could rotate; "test-a" seals new values.
  const testKey = (name: string) =>
    createHash("sha256").update(`senim test key ${name}`).digest("base64");
  process.env.ENCRYPTION_KEYS ??= `test-a:${testKey("a")},test-b:${testKey("b")}`;
  process.env.AUDIT_KEY ??= `test-audit:${testKey("audit")}`;
  // The tests that start real processes run this build: swc, about a second, where tsc takes 15 s.
  execFileSync(
    process.execPath,
    [require.resolve("@swc/cli/bin/swc"), "src", "--out-dir", BUILD_DIR, "--quiet"],
    { cwd: ROOT, stdio: "inherit" },
  );
  if (process.env.DATABASE_URL) {
    const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, poolMax: 1 });
    await migrate(database);
    await database.close();
    return;
  }
  const database = await openDatabase({ memory: true });
  await migrate(database);
  const client = (database.db as unknown as { $client: { dumpDataDir(c: "none"): Promise<Blob> } })
    .$client;
  const snapshot = await client.dumpDataDir("none");
  const path = join(mkdtempSync(join(tmpdir(), "senim-test-")), "migrated.tar");
  writeFileSync(path, Buffer.from(await snapshot.arrayBuffer()));
  await database.close();
  process.env.SENIM_PGLITE_SNAPSHOT = path;
}
