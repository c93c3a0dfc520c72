import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
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
  /** Statements sent since start; tests read it to show that loaders batch. */
  readonly statements: { count: number };
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { databaseUrl: string; poolMax?: number }
  | { pgliteDir: string }
  | { pgliteDump: Blob | File }
  | { memory: true };

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const statements = { count: 0 };
  const logger = { logQuery: () => void statements.count++ };
  const options = { schema, casing: "snake_case" as const, logger };

  if ("databaseUrl" in target) {
    const client = postgres(target.databaseUrl, {
      max: target.poolMax ?? 10,
      onnotice: () => {}, // "relation already exists, skipping" is not news
      connection: { application_name: "senim" },
    });
    const db = drizzlePostgres(client, options) as unknown as Db;
    return {
      db,
      kind: "postgres",
      url: target.databaseUrl,
      statements,
      ping: async () => void (await client`select 1`),
      close: () => client.end({ timeout: 5 }),
    };
  }

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

/** Runs raw SQL and returns plain rows whichever driver is underneath. */
export async function rows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
