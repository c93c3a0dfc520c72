import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { Database } from "./client";

/** drizzle/ at the package root, found the same way from src/ (ts-node, jest) and from dist/src/ (npm start). */
export const MIGRATIONS_FOLDER = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "drizzle", "meta", "_journal.json"))) return join(dir, "drizzle");
  }
  throw new Error("drizzle/ migrations folder not found above " + __dirname);
})();
const MIGRATION_LOCK = 7_356_001;

/** Applies pending migrations; on PostgreSQL several processes may start at once, so they take turns. */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  // One connection (max: 1) holds a session lock while the migrator runs its own transaction on it.
  const client = postgres(database.url!, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "senim-migrate" },
  });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzle({ client }), config);
  } finally {
    await client.end();
  }
}
