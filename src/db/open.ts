import type { Config } from "../config";
import type { Logger } from "../logger";
import { openDatabase, type Database } from "./client";
import { migrate } from "./migrate";

/** The database the configuration points at, migrated: PostgreSQL with DATABASE_URL, else PGlite in PGLITE_DIR. */
export async function openConfiguredDatabase(config: Config, log: Logger): Promise<Database> {
  const database = config.databaseUrl
    ? await openDatabase({ databaseUrl: config.databaseUrl, poolMax: config.dbPoolMax })
    : await openDatabase({ pgliteDir: config.pgliteDir });
  const started = Date.now();
  await migrate(database);
  log.debug({ ms: Date.now() - started }, "migrations applied");
  return database;
}
