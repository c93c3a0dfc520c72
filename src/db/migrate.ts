import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { rows, type Database } from "./client";
import { grantRuntimeRole } from "./grants";

/** drizzle/ at the package root, found the same way from src/ (ts-node, jest) and from dist/src/ (npm start). */
export const MIGRATIONS_FOLDER = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "drizzle", "meta", "_journal.json"))) return join(dir, "drizzle");
  }
  throw new Error("drizzle/ migrations folder not found above " + __dirname);
})();
const MIGRATION_LOCK = 7_356_001;

export interface MigrateOptions {
  /** MIGRATION_DATABASE_URL: the tables' owner migrates, then grants the runtime role; else `database` migrates. */
  ownerUrl?: string | null;
  /** The role to grant to; by default the one `database` is connected as. */
  runtimeRole?: string;
}

/**
 * Applies pending migrations, then, as the owner, grants the runtime role what it needs (grants.ts). On
 * PostgreSQL several processes may start at once, so they take turns.
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, config);
    return;
  }
  // One connection (max: 1) holds a session lock while the migrator runs its own transaction on it.
  const client = postgres(options.ownerUrl ?? database.url!, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "senim-migrate" },
  });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzle({ client }), config);
    const runtimeRole =
      options.runtimeRole ?? (options.ownerUrl ? await currentUser(database) : null);
    if (runtimeRole) await grantUnlessOwner(client, runtimeRole);
  } finally {
    await client.end();
  }
}

const currentUser = async (database: Database) =>
  (await rows<{ name: string }>(database.db, sql`select current_user as name`))[0].name;

/** A runtime role that is the owner has every right already: there is nothing to grant or take away. */
async function grantUnlessOwner(client: postgres.Sql, runtimeRole: string) {
  const [{ owner }] = await client<{ owner: string }[]>`select current_user as owner`;
  if (runtimeRole !== owner) await client.begin((tx) => grantRuntimeRole(tx, runtimeRole));
}
