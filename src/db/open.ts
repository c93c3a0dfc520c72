import type { Config } from "../config";
import type { Logger } from "../logger";
import { openDatabase, type Database, type SessionLimits } from "./client";
import { migrate } from "./migrate";

/** The configured limits; a batch tool (the seed) writes in statements longer than any request's. */
function sessionLimits(config: Config, options: { batch?: boolean }): SessionLimits {
  return {
    statementTimeoutMs: options.batch ? 0 : config.dbStatementTimeoutMs,
    lockTimeoutMs: options.batch ? 0 : config.dbLockTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    applicationName: config.dbApplicationName,
  };
}

/** The database the configuration points at, migrated: PostgreSQL with DATABASE_URL, else PGlite in PGLITE_DIR. */
export async function openConfiguredDatabase(
  config: Config,
  log: Logger,
  options: { batch?: boolean } = {},
): Promise<Database> {
  const database = config.databaseUrl
    ? await openDatabase({
        databaseUrl: config.databaseUrl,
        poolMax: config.dbPoolMax,
        // The seed's statements are each run once: naming them would only keep their plans in memory.
        preparedStatements: !options.batch && config.dbPreparedStatements,
        limits: sessionLimits(config, options),
        // The pool opens a new one when needed; requests that were using it fail and say so in their own log lines.
        onConnectionLost: (err) => log.warn({ err }, "database connection lost"),
      })
    : await openDatabase({ pgliteDir: config.pgliteDir });
  const started = Date.now();
  await migrate(database);
  log.debug({ ms: Date.now() - started }, "migrations applied");
  return database;
}
