import { mkdirSync } from "node:fs";
import { basename } from "node:path";
import { sql } from "drizzle-orm";
import { ConfigError, type Config } from "../config";
import type { Logger } from "../logger";
import { openDatabase, rows, type Database, type Db, type SessionLimits } from "./client";
import { migrate, type MigrateOptions } from "./migrate";
import { lockDataDir } from "./pglite-lock";

export interface OpenOptions {
  /** The seed: statements longer than any request's. */
  batch?: boolean;
  /** What this process is, as a second one is told: "the Senim server", "npm run token". */
  purpose?: string;
  /** What a user of this process can do instead while another holds the PGlite directory. */
  whileInUse?: string;
  /** Connect as the tables' owner (MIGRATION_DATABASE_URL when set): the seed drops keys and disables triggers. */
  asOwner?: boolean;
  /** The server: on PostgreSQL, a runtime role that could alter the tables is warned about, refused in production. */
  asServer?: boolean;
}

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
  options: OpenOptions = {},
): Promise<Database> {
  const url = options.asOwner
    ? (config.migrationDatabaseUrl ?? config.databaseUrl)
    : config.databaseUrl;
  const database = url
    ? await openDatabase({
        databaseUrl: url,
        poolMax: config.dbPoolMax,
        // The seed's statements are each run once: naming them would only keep their plans in memory.
        preparedStatements: !options.batch && config.dbPreparedStatements,
        limits: sessionLimits(config, options),
        // The pool opens a new one when needed; requests that were using it fail and say so in their own log lines.
        // Code and message only: the driver's error can carry its connection options and statements.
        onConnectionLost: (err) =>
          log.warn(
            { code: (err as { code?: string }).code, reason: err.message },
            "database connection lost",
          ),
      })
    : await openLockedPglite(config.pgliteDir, log, options);
  const started = Date.now();
  try {
    await migrate(database, migrateOptions(config, options));
    log.debug({ ms: Date.now() - started }, "migrations applied");
    if (database.kind === "postgres" && options.asServer && !options.asOwner)
      await checkRuntimeRole(database.db, config, log);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Who migrates, and whom it grants to: the owner when configured, the runtime role (DATABASE_URL's user). */
function migrateOptions(config: Config, options: OpenOptions): MigrateOptions {
  if (!options.asOwner) return { ownerUrl: config.migrationDatabaseUrl };
  const runtimeRole = config.databaseUrl && new URL(config.databaseUrl).username;
  return runtimeRole ? { runtimeRole: decodeURIComponent(runtimeRole) } : {};
}

/** DESIGN §4: the server must not run as a role that can alter tables or disable the audit triggers. */
async function checkRuntimeRole(db: Db, config: Config, log: Logger) {
  const { role, problems } = await runtimeRoleProblems(db, Boolean(config.migrationDatabaseUrl));
  if (problems.length && config.env === "production")
    throw new ConfigError(`Senim refuses to start in production: ${problems.join("; ")}`);
  for (const problem of problems) log.warn({ runtimeRole: role }, problem);
}

/** What the role the server connected as may do that it should not, in words for the operator. */
async function runtimeRoleProblems(db: Db, ownerMigrates: boolean) {
  const [{ role, superuser, owned }] = await rows<{
    role: string;
    superuser: boolean;
    owned: number;
  }>(
    db,
    sql`select rolname as role, rolsuper as superuser,
          (select count(*)::int from pg_tables where schemaname = 'public'
             and pg_has_role(current_user, tableowner, 'MEMBER')) as owned
        from pg_roles where rolname = current_user`,
  );
  const problems: string[] = [];
  if (superuser)
    problems.push(
      `the runtime role "${role}" (DATABASE_URL) is a superuser: it can alter any table and disable the audit triggers; give DATABASE_URL a role without those rights`,
    );
  if (!ownerMigrates)
    problems.push(
      `the runtime role "${role}" owns the tables: it can alter them and disable the audit triggers; set MIGRATION_DATABASE_URL to the owner's URL, and DATABASE_URL to a role of its own`,
    );
  else if (owned && !superuser)
    problems.push(
      `the runtime role "${role}" (DATABASE_URL) owns ${owned} tables, or may act as their owner: it can alter them and disable the audit triggers; give DATABASE_URL a role of its own`,
    );
  return { role, problems };
}

/** PGlite in `dir`, held with an exclusive lock until close: two processes on one directory corrupt it. */
async function openLockedPglite(dir: string, log: Logger, options: OpenOptions): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  const purpose = options.purpose ?? `node ${basename(process.argv[1] ?? "")}`;
  const lock = await lockDataDir(dir, purpose, options.whileInUse);
  const stale = lock.tookOverFrom;
  if (stale === "unreadable") {
    log.warn(
      { lockFile: lock.file },
      "took over an unreadable PGlite lock left by a crashed process",
    );
  } else if (stale) {
    log.warn(
      { lockFile: lock.file, stalePid: stale.pid, staleProcess: stale.purpose },
      `took over the PGlite lock left by ${stale.purpose}, pid ${stale.pid} (started at ${stale.startedAt}), which is no longer running`,
    );
  }
  let database: Database;
  try {
    database = await openDatabase({ pgliteDir: dir });
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = database.close;
  database.close = async () => {
    try {
      await close();
    } finally {
      lock.release();
    }
  };
  return database;
}
