import diagnostics from "node:diagnostics_channel";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import {
  fillPlaceholders,
  Placeholder,
  sql,
  type ExtractTablesWithRelations,
  type SQL,
} from "drizzle-orm";
import {
  PgDialect,
  type PgColumn,
  type PgDatabase,
  type PgQueryResultHKT,
  type PgTransaction,
} from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
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
      /** Whether statements run as named statements, parsed once per connection (default true). */
      preparedStatements?: boolean;
      limits?: SessionLimits;
      /** A pooled connection closed that the pool did not close itself (terminated, server gone, network cut). */
      onConnectionLost?: (error: Error) => void;
    }
  | { pgliteDir: string }
  | { pgliteDump: Blob | File }
  | { memory: true };

export interface Statements {
  count: number;
  listener?: (text: string) => void;
}

/** Runs one rendered statement on the database's driver: what `preparedRows` needs and drizzle has no public call for. */
type RunText = (text: string, params: unknown[]) => Promise<unknown>;
const runners = new WeakMap<Db, RunText>();

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const statements: Statements = { count: 0 };
  const logQuery = (text: string) => {
    statements.count++;
    statements.listener?.(text);
  };
  const options = { schema, casing: "snake_case" as const, logger: { logQuery } };

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
  const db = drizzlePglite({ client, ...options }) as unknown as Db;
  runners.set(db, async (text, params) => {
    logQuery(text);
    return client.query(text, params);
  });
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
 * PostgreSQL through postgres.js: a pool that pipelines a request's statements. A lost connection fails only
 * the statements that were on it (requests log it themselves), and the pool opens a new one when needed.
 */
function openPostgres(
  target: Extract<DatabaseTarget, { databaseUrl: string }>,
  options: DrizzleOptions,
  statements: Statements,
): Database {
  const limits = target.limits;
  const client = postgres(target.databaseUrl, {
    max: target.poolMax ?? 10,
    prepare: target.preparedStatements ?? true,
    // Both opening a connection and waiting for a free one when all are busy are bounded.
    ...(limits && {
      connect_timeout: limits.connectTimeoutMs / 1000,
      queue_timeout: limits.connectTimeoutMs / 1000,
    }),
    // TCP keep-alive probes after 30 s of silence: a peer gone without a word (network cut) is noticed.
    keep_alive: 30,
    // NOTICEs ("already exists, skipping") are the database's chatter, not the service's log.
    onnotice: () => {},
    // Start-up parameters, so every connection has them from its first statement, replacements included;
    // 0 is sent rather than left out, so that it turns a timeout off whatever the server's default.
    connection: {
      application_name: limits?.applicationName ?? "senim",
      ...(limits && {
        statement_timeout: limits.statementTimeoutMs,
        lock_timeout: limits.lockTimeoutMs,
        idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
      }),
    },
  });
  const lost = target.onConnectionLost && connectionLostListener(client, target.onConnectionLost);
  const db = drizzlePostgres({
    client: namedUnlessPlannedPerCall(client),
    ...options,
  }) as unknown as Db;
  runners.set(db, async (text, params) => {
    options.logger.logQuery(text);
    return client.unsafe(text, params as never[], { prepare: true });
  });
  return {
    db,
    kind: "postgres",
    url: target.databaseUrl,
    statements,
    ping: async () => void (await client`select 1`),
    close: () => {
      if (lost) diagnostics.unsubscribe("postgres:pool", lost);
      return client.end();
    },
    poolUse: () => {
      const { connections, idle, waiting } = client.stats;
      return { total: connections, idle, waiting };
    },
  };
}

type Client = postgres.Sql | postgres.TransactionSql;

/**
 * The client drizzle is given: every statement may be named (postgres.js's own default) except those marked
 * PLANNED_PER_CALL. drizzle asks for an unnamed statement unless the query was built with `.prepare()`, and
 * postgres.js describes an unnamed statement with parameters before running it: a second round trip, on
 * every write of a transaction (SubmitComplaint ran 30% slower for it). postgres.js keeps at most 1,000
 * named statements per connection and closes the least recently used beyond that.
 */
function namedUnlessPlannedPerCall<C extends Client>(client: C): C {
  return new Proxy(client, {
    get(target, property) {
      if (property === "unsafe") {
        return (text: string, params?: never[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(text, params, {
            ...options,
            prepare: !text.includes(PLANNED_PER_CALL_MARK),
          });
      }
      if (property === "begin" || property === "savepoint") {
        // The transaction's own client, which drizzle runs the transaction's statements on, names them too.
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: Client) => unknown;
          const open = Reflect.get(target, property) as (...a: unknown[]) => Promise<unknown>;
          return open(...args, (tx: Client) => work(namedUnlessPlannedPerCall(tx)));
        };
      }
      return Reflect.get(target, property);
    },
  });
}

/**
 * postgres.js reports its pool's events on a diagnostics channel (the `onclose` option gives no reason): a
 * close with CONNECTION_CLOSED is one the pool did not ask for, unlike retiring or ending a connection.
 */
function connectionLostListener(client: postgres.Sql, onLost: (error: Error) => void) {
  const { database } = client.options;
  const listener = (message: unknown) => {
    const {
      event,
      error,
      database: of,
    } = message as { event: string; error?: Error; database: string };
    if (
      event === "close" &&
      of === database &&
      (error as { code?: string })?.code === "CONNECTION_CLOSED"
    ) {
      onLost(error!);
    }
  };
  diagnostics.subscribe("postgres:pool", listener);
  return listener;
}

const PLANNED_PER_CALL_MARK = "/* planned per call */";

/**
 * Marks a statement whose best plan depends on its values: it must stay unnamed, so that PostgreSQL plans it
 * for each call, and `prepared` refuses it. One generic plan cannot serve both a district's 500 officers and
 * a region's 5,000 (the region's page took 24 ms on the generic plan against 1.9 ms on its own).
 */
export const PLANNED_PER_CALL = sql.raw(PLANNED_PER_CALL_MARK);

/** The rows of a raw statement's result, whichever driver ran it (postgres.js gives an array, PGlite wraps it). */
const plainRows = <T>(result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

/** Runs raw SQL and returns plain rows whichever driver is underneath. */
export async function rows<T>(db: Queryable, query: SQL): Promise<T[]> {
  return plainRows<T>(await db.execute(query));
}

/**
 * `values` as a PostgreSQL array literal (each quoted, null as NULL), passed as one parameter: the value of a list
 * placeholder (`anyOf(column, sql.placeholder(...))`, `arrayParam(sql.placeholder(...))`) in a `prepared` read.
 */
export const list = (values: readonly unknown[]) =>
  `{${values.map((v) => (v == null ? "NULL" : `"${String(v).replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;

/*
 * A loader's batch is often one key (one officer's profile, HR's standing). Sent as an array parameter of
 * unknown length, it keeps PostgreSQL planning the statement on every call: a generic plan is costed for
 * an array of several keys, so it never looks as cheap as a custom plan for one (the standing plans for
 * 0.9 ms and runs for 0.2). Written `array[$1::type]`, the array's length is known, the generic plan costs
 * the same, and PostgreSQL keeps it after five calls. So a statement over a batch is prepared twice.
 */
const ONE_KEY = ":one";

/**
 * `values` (or a placeholder for `list(values)`) as one `type[]` parameter, e.g. for `unnest(...)`. The
 * placeholder of a batch of one key (see ONE_KEY) is written `array[$n::type]`.
 */
export const arrayParam = (values: readonly unknown[] | Placeholder, type = "uuid") =>
  values instanceof Placeholder && values.name.endsWith(ONE_KEY)
    ? sql`array[${values}::${sql.raw(type)}]`
    : sql`${values instanceof Placeholder ? values : list(values)}::${sql.raw(type)}[]`;

/** A read over a batch of keys, prepared as two statements (see ONE_KEY); `build` places the keys with `arrayParam`. */
export function preparedPerBatch<V extends Record<string, unknown>, R>(
  name: string,
  build: (db: Db, keys: Placeholder) => Runnable<V, R>,
): (db: Db, keys: readonly unknown[], values: Record<string, unknown>) => Promise<R> {
  const many = prepared((db: Db) => build(db, sql.placeholder(name)));
  const one = prepared((db: Db) => build(db, sql.placeholder(`${name}${ONE_KEY}`)));
  return (db, keys, values) =>
    keys.length === 1
      ? one(db, { ...values, [`${name}${ONE_KEY}`]: keys[0] } as unknown as V)
      : many(db, { ...values, [name]: list(keys) } as unknown as V);
}

/**
 * `column = any($1::type[])`, the values in one array parameter: the statement text is the same for one value
 * or five hundred, so one named statement serves every batch size (drizzle's `inArray` writes
 * `in ($1, …, $n)`, a new text, and a new prepared statement, for every size).
 */
export const anyOf = (column: PgColumn, values: readonly unknown[] | Placeholder) =>
  sql`${column} = any(${arrayParam(values, column.getSQLType())})`;

interface Runnable<V, R> {
  execute(values: V): Promise<R>;
  getQuery(): { sql: string };
}

/**
 * A read whose SQL is rendered once per database, then only run with its values (`sql.placeholder(name)`;
 * lists as `list(values)`). drizzle renders a query's text again on every call: 60 µs for a small select on
 * this machine, and 18% of the server's CPU on the officer profile, more than graphql-js's whole execution.
 * `build` gives a select builder's `.prepare("")` or `preparedRows`: on PostgreSQL both run as named
 * statements (postgres.js names them), parsed once per connection, and PostgreSQL may keep their plans.
 */
export function prepared<V extends Record<string, unknown>, R>(
  build: (db: Db) => Runnable<V, R>,
): (db: Db, values: V) => Promise<R> {
  const built = new WeakMap<Db, Runnable<V, R>>();
  return (db, values) => {
    let query = built.get(db);
    if (!query) built.set(db, (query = plannedOnce(build(db))));
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
  const query = preparedPerBatch("keys", build);
  return (db: Db, values: readonly unknown[]) => query(db, values, {});
}

const dialect = new PgDialect({ casing: "snake_case" });

/** Raw SQL with placeholders, rendered now, for `prepared`: plain rows, whichever driver runs it. */
export function preparedRows<R, V extends Record<string, unknown> = Record<string, unknown>>(
  db: Db,
  query: SQL,
): Runnable<V, R[]> {
  const run = runners.get(db);
  if (!run) throw new Error("preparedRows needs a database opened by openDatabase");
  const { sql: text, params } = dialect.sqlToQuery(query);
  return {
    getQuery: () => ({ sql: text }),
    execute: async (values) => plainRows<R>(await run(text, fillPlaceholders(params, values))),
  };
}

/** A statement marked PLANNED_PER_CALL must never be named: building one as `prepared` is a programming error. */
function plannedOnce<Q extends Runnable<never, unknown>>(query: Q): Q {
  if (query.getQuery().sql.includes(PLANNED_PER_CALL_MARK)) {
    throw new Error("a statement marked PLANNED_PER_CALL was built as a prepared read");
  }
  return query;
}
