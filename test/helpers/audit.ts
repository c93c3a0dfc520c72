import "reflect-metadata";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { openDatabase, rows, type Database, type Db, type Queryable } from "../../src/db/client";
import { migrate } from "../../src/db/migrate";
import { auditLog, type AuditRow } from "../../src/db/schema";
import { createLogger } from "../../src/logger";
import { createSenimServer } from "../../src/server";
import { openPrivateDatabase } from "./database";
import type { GraphQLResult } from "./server";
import { built, ROOT } from "./process";
import { contractOperation } from "./contract";

/** A request with the server's id for it (the X-Request-Id response header), under which its audit rows are. */
export interface TracedResult<T = any> extends GraphQLResult<T> {
  requestId: string;
}

/**
 * Sends a document with a raw Authorization header (or none), and returns the server's id for the request.
 * `auth` is a token (sent as a Bearer), `{ header }` for any other Authorization value, or null.
 */
export async function traced<T = any>(
  url: string,
  auth: string | { header: string } | null,
  document: string,
  variables?: Record<string, unknown>,
): Promise<TracedResult<T>> {
  const authorization =
    auth === null ? undefined : typeof auth === "string" ? `Bearer ${auth}` : auth.header;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({ query: document, variables }),
  });
  const requestId = res.headers.get("x-request-id")!;
  return { status: res.status, requestId, ...((await res.json()) as object) };
}

/** A caller whose every request carries its own request id (see `traced`). */
export interface TracedCaller {
  principalId: string | null;
  op<T = any>(name: string, variables?: Record<string, unknown>): Promise<TracedResult<T>>;
  query<T = any>(document: string, variables?: Record<string, unknown>): Promise<TracedResult<T>>;
}

export const tracedCaller = (
  url: string,
  caller: { token: string | null; principalId: string | null },
): TracedCaller => ({
  principalId: caller.principalId,
  op: (name, variables) => traced(url, caller.token, contractOperation(name), variables),
  query: (document, variables) => traced(url, caller.token, document, variables),
});

/** Every audit row a request wrote, in chain order. */
export const auditRowsOfRequest = (db: Queryable, requestId: string): Promise<AuditRow[]> =>
  db.select().from(auditLog).where(eq(auditLog.requestId, requestId)).orderBy(asc(auditLog.seq));

/** Every audit row about one record, in chain order. */
export const auditRowsOfEntity = (db: Queryable, entityId: string): Promise<AuditRow[]> =>
  db.select().from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(asc(auditLog.seq));

/** How many rows of a table hold this text anywhere (the whole row cast to text). */
export async function rowsMentioning(
  db: Queryable,
  table: "audit_log" | "principals",
  text: string,
): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${sql.identifier(table)} t where strpos(t::text, ${text}) > 0`,
  );
  return n;
}

/** Thrown to undo a transaction whatever happened inside it. */
class RolledBack extends Error {}

/**
 * Runs `work` in a transaction that is always rolled back, and returns what `work` threw (or
 * undefined). Safe for trying destructive statements against the shared database.
 */
export async function failureInRolledBackTransaction(
  db: Db,
  work: (tx: Queryable) => Promise<unknown>,
): Promise<unknown> {
  try {
    await db.transaction(async (tx) => {
      await work(tx);
      throw new RolledBack();
    });
  } catch (e) {
    return e instanceof RolledBack ? undefined : e;
  }
  return undefined;
}

/**
 * Rewrites audit rows behind the trigger's back, as someone with direct superuser access could:
 * `session_replication_role = replica` stops ordinary triggers firing, for this transaction only.
 */
export async function tamper(db: Db, statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command-line tool (src/cli/<name>.ts, as globalSetup built it) with exactly this database environment. */
export function runCli(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.PGLITE_DIR;
  delete base.NODE_OPTIONS; // jest's --experimental-vm-modules would only add a warning on stderr
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [built(`cli/${name}`), ...args], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: "test", LOG_LEVEL: "warn", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A database that a command-line tool in another process can reach, and that no other test uses:
 * a new PostgreSQL database, or a PGlite directory (which one process at a time may open, so
 * `use` opens it for the callback and closes it again).
 */
export interface ProcessDatabase {
  /** The environment the tool needs (DATABASE_URL or PGLITE_DIR). */
  env: Record<string, string>;
  use<T>(work: (database: Database) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function openProcessDatabase(): Promise<ProcessDatabase> {
  if (process.env.DATABASE_URL) {
    const own = await openPrivateDatabase();
    return {
      env: { DATABASE_URL: own.url! },
      use: (work) => work(own.database),
      drop: () => own.drop(),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "senim-cli-"));
  const pgliteDir = join(dir, "data");
  const first = await openDatabase({ pgliteDir });
  await migrate(first);
  await first.close();
  return {
    env: { PGLITE_DIR: pgliteDir },
    async use(work) {
      const database = await openDatabase({ pgliteDir });
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Serves an arbitrary database (not the test file's own) for one callback, and sends a contract operation to it. */
export async function withServer<T>(
  database: Database,
  work: (
    op: (
      name: string,
      token: string | null,
      variables?: Record<string, unknown>,
    ) => Promise<GraphQLResult>,
  ) => Promise<T>,
): Promise<T> {
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    AUDIT_KEY: process.env.AUDIT_KEY,
  });
  const server = await createSenimServer({ database, config, log: createLogger("silent") });
  const port = await server.listen(0, "127.0.0.1");
  try {
    return await work((name, token, variables) =>
      traced(`http://127.0.0.1:${port}/graphql`, token, contractOperation(name), variables),
    );
  } finally {
    await server.close();
  }
}
