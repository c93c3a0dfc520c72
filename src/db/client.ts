import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Placeholder, sql, type ExtractTablesWithRelations, type SQL } from "drizzle-orm";
import type {
  PgColumn,
  PgDatabase,
  PgDialect,
  PgQueryResultHKT,
  PgSession,
  PgTransaction,
} from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

type Schema = typeof schema;
/** One type for both drivers: services never know which database they run on. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that runs statements: the database or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Set for PostgreSQL: tools that need their own connection (migrations) open one from it. */
  url: string | null;
  /** Statements sent since start, and a listener for their texts: tests read both to show that loaders batch. */
  readonly statements: Statements;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PostgreSQL only: the pool's connections right now, for /metrics. */
  poolUse?: () => { total: number; idle: number; waiting: number };
}

/** What a server process sets on each PostgreSQL connection (config.ts explains each); 0 turns a timeout off. */
export interface SessionLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectTimeoutMs: number;
  applicationName: string;
}

export type DatabaseTarget =
  | {
      databaseUrl: string;
      poolMax?: number;
      /** How many distinct statement texts get a name (see `namedStatements`); default 0, all unnamed. */
      preparedStatements?: number;
      limits?: SessionLimits;
      /** A pooled connection failed outside any query (terminated while idle, server restarting). */
      onConnectionError?: (err: Error) => void;
    }
  | { pgliteDir: string }
  | { pgliteDump: Blob | File }
  | { memory: true };

export interface Statements {
  count: number;
  listener?: (text: string) => void;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const statements: Statements = { count: 0 };
  const logger = {
    logQuery: (text: string) => {
      statements.count++;
      statements.listener?.(text);
    },
  };
  const options = { schema, casing: "snake_case" as const, logger };

  if ("databaseUrl" in target) return openPostgres(target, options, statements);

  let client: PGlite;
  if ("pgliteDir" in target) {
    mkdirSync(target.pgliteDir, { recursive: true });
    client = new PGlite(target.pgliteDir);
  } else if ("pgliteDump" in target) {
    client = new PGlite({ loadDataDir: target.pgliteDump });
  } else {
    client = new PGlite();
  }
  await client.waitReady;
  const db = drizzlePglite(client, options) as unknown as Db;
  return {
    db,
    kind: "pglite",
    url: null,
    statements,
    ping: async () => void (await client.query("select 1")),
    close: () => client.close(),
  };
}

type DrizzleOptions = {
  schema: Schema;
  casing: "snake_case";
  logger: { logQuery(text: string): void };
};

/**
 * PostgreSQL through node-postgres (pg). postgres.js 3.4.9, used before, crashes the process when a
 * transaction's backend is terminated (a write to a closed socket from a timer) and can run a dead
 * transaction's statements on the reconnected connection; pg keeps one Client per connection and drops
 * a broken one from the pool.
 */
function openPostgres(
  target: Extract<DatabaseTarget, { databaseUrl: string }>,
  options: DrizzleOptions,
  statements: Statements,
): Database {
  const limits = target.limits;
  const onConnectionError = target.onConnectionError ?? (() => {});
  const names = namedStatements(target.preparedStatements ?? 0);
  const pool = new pg.Pool({
    connectionString: target.databaseUrl,
    max: target.poolMax ?? 10,
    application_name: limits?.applicationName ?? "senim",
    // Start-up options, so every connection has them from its first statement, replacements included;
    // "-c name=0" rather than leaving it out, so that 0 turns a timeout off whatever the server's default.
    ...(limits && {
      options: [
        `-c statement_timeout=${limits.statementTimeoutMs}`,
        `-c lock_timeout=${limits.lockTimeoutMs}`,
        `-c idle_in_transaction_session_timeout=${limits.idleInTransactionTimeoutMs}`,
      ].join(" "),
      // Bounds both opening a connection and waiting for a free one when all are busy.
      connectionTimeoutMillis: limits.connectTimeoutMs,
    }),
    // TCP keep-alive probes after 30 s of silence: a peer gone without a word (network cut) is noticed.
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
  });
  // An idle pooled connection that dies is removed by the pool, which then reports it here: without a
  // listener Node would treat it as an uncaught error and exit.
  pool.on("error", onConnectionError);
  // The pool stops listening while a client is checked out; a transaction's connection that dies between
  // two statements would then be an uncaught error too. Its next statement fails instead.
  pool.on("connect", (client) => {
    client.on("error", onConnectionError);
    oneStatementAtATime(client, names);
  });

  const db = drizzleNodePg(pool, options) as unknown as Db;
  const onClient = new WeakMap<pg.PoolClient, Db>();
  /**
   * drizzle's pool transaction never releases a client whose BEGIN failed (the pool shrinks by one for
   * good) and reports a failed ROLLBACK's error instead of the work's: this one runs drizzle's transaction
   * on a checked-out client, always gives it back, and throws away a client whose BEGIN, COMMIT or
   * ROLLBACK failed, since its session state is unknown.
   */
  const transaction: Db["transaction"] = async (work, config) => {
    const client = await pool.connect();
    let session = onClient.get(client);
    if (!session) onClient.set(client, (session = drizzleNodePg(client, options) as unknown as Db));
    const NONE = Symbol("none");
    let workError: unknown = NONE;
    let sound = false;
    try {
      const result = await session.transaction(async (tx) => {
        try {
          return await work(tx);
        } catch (e) {
          workError = e;
          throw e;
        }
      }, config);
      sound = true;
      return result;
    } catch (e) {
      sound = e === workError;
      throw workError === NONE ? e : workError;
    } finally {
      client.release(!sound);
    }
  };
  db.transaction = transaction;

  return {
    db,
    kind: "postgres",
    url: target.databaseUrl,
    statements,
    ping: async () => void (await pool.query("select 1")),
    close: () => pool.end(),
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

const PLANNED_PER_CALL_MARK = "/* planned per call */";

/**
 * Put into a statement whose best plan depends on its values, so that it is never named and PostgreSQL plans
 * it for each call: one generic plan cannot serve both a district's 500 officers and a region's 5,000 (the
 * region's page took 24 ms on the generic plan against 1.9 ms on its own).
 */
export const PLANNED_PER_CALL = sql.raw(PLANNED_PER_CALL_MARK);

/**
 * A name for each of the first `limit` statement texts the process sends, the same on every connection.
 * A named statement is parsed once per connection, and after five runs PostgreSQL may keep a generic plan
 * for it: on the contract's reads, parsing and planning were most of the database's time (binding the
 * standing statement alone took 2 ms), and resending the text was much of the socket traffic. Texts past
 * the limit go unnamed, so a connection never holds more than `limit` prepared statements.
 */
function namedStatements(limit: number) {
  const names = new Map<string, string>();
  return (text: string) => {
    if (text.includes(PLANNED_PER_CALL_MARK)) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < limit)
      names.set(text, (name = `senim_${names.size + 1}`));
    return name;
  };
}

/**
 * Statements a transaction starts together (Promise.all over tx) go to its connection one after the other.
 * pg 8 queues them itself but warns that pg 9 will not; callback calls (the pool's own) pass straight through.
 * Statements given as a config object without a name (drizzle's, or a `prepared` one's "") get one from `nameOf`.
 */
function oneStatementAtATime(client: pg.PoolClient, nameOf: (text: string) => string | undefined) {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  let previous: Promise<unknown> = Promise.resolve();
  client.query = ((...args: unknown[]) => {
    const config = args[0] as { text?: unknown; name?: unknown; submit?: unknown } | null;
    if (typeof config?.submit === "function") return query(...args);
    if (config && typeof config === "object" && typeof config.text === "string" && !config.name) {
      const name = nameOf(config.text);
      if (name) args = [{ ...config, name }, ...args.slice(1)];
    }
    if (typeof args.at(-1) === "function") return query(...args);
    const next = previous.then(() => query(...args));
    previous = next.catch(() => {});
    return next;
  }) as typeof client.query;
}

/** The rows of a raw statement's result, whichever driver ran it (node-postgres and PGlite wrap them). */
const plainRows = <T>(result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

/** Runs raw SQL and returns plain rows whichever driver is underneath. */
export async function rows<T>(db: Queryable, query: SQL): Promise<T[]> {
  return plainRows<T>(await db.execute(query));
}

/**
 * `values` as a PostgreSQL array literal (each quoted), passed as one parameter: the value of a list
 * placeholder (`anyOf(column, sql.placeholder(...))`, `arrayParam(sql.placeholder(...))`) in a `prepared` read.
 */
export const list = (values: readonly unknown[]) =>
  `{${values.map((v) => `"${String(v).replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;

/** `values` (or a placeholder for `list(values)`) as one `type[]` parameter, e.g. for `unnest(...)`. */
export const arrayParam = (values: readonly unknown[] | Placeholder, type = "uuid") =>
  sql`${values instanceof Placeholder ? values : list(values)}::${sql.raw(type)}[]`;

/**
 * `column = any($1::type[])`, the values in one array parameter: the statement text is the same for one value
 * or five hundred, so one named statement serves every batch size (drizzle's `inArray` writes
 * `in ($1, …, $n)`, a new text, and a new prepared statement, for every size).
 */
export const anyOf = (column: PgColumn, values: readonly unknown[] | Placeholder) =>
  sql`${column} = any(${arrayParam(values, column.getSQLType())})`;

interface Runnable<V, R> {
  execute(values: V): Promise<R>;
}

/**
 * A read whose SQL is rendered once per database, then only run with its values (`sql.placeholder(name)`;
 * lists as `list(values)`). drizzle renders a query's text again on every call: 60 µs for a small select on
 * this machine, and 18% of the server's CPU on the officer profile, more than graphql-js's whole execution.
 * `build` gives a select builder's `.prepare("")` (the name is left to `namedStatements`) or `preparedRows`.
 */
export function prepared<V extends Record<string, unknown>, R>(
  build: (db: Db) => Runnable<V, R>,
): (db: Db, values: V) => Promise<R> {
  const built = new WeakMap<Db, Runnable<V, R>>();
  return (db, values) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = build(db)));
    return query.execute(values);
  };
}

/**
 * A read of the rows for a list of keys (a loader's batch), rendered once per database like `prepared`:
 * `build` writes the query with `keys` where the list goes (`anyOf(column, keys)`) and ends in `.prepare("")`.
 */
export function byKeys<R>(
  build: (db: Db, keys: Placeholder) => Runnable<Record<string, unknown>, R>,
) {
  const keys = sql.placeholder("keys");
  const query = prepared((db) => build(db, keys));
  return (db: Db, values: readonly unknown[]) => query(db, { keys: list(values) });
}

/** Raw SQL with placeholders, rendered now, for `prepared`: plain rows, whichever driver runs it. */
export function preparedRows<R, V extends Record<string, unknown> = Record<string, unknown>>(
  db: Db,
  query: SQL,
): Runnable<V, R[]> {
  const { dialect, session } = db as unknown as { dialect: PgDialect; session: PgSession };
  const statement = session.prepareQuery(dialect.sqlToQuery(query), undefined, "", false);
  return { execute: async (values) => plainRows<R>(await statement.execute(values)) };
}
