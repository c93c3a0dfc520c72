import "reflect-metadata";
import { loadConfig } from "../../src/config";
import type { Database } from "../../src/db/client";
import { createLogger } from "../../src/logger";
import { createSenimServer, type SenimServer } from "../../src/server";
import { issuePrincipal } from "../../src/auth/token";
import type { Role } from "../../src/db/schema";
import { contractOperation } from "./contract";
import { fixtureActor, openPrivateDatabase, openTestDatabase } from "./database";

export interface GraphQLResult<T = any> {
  status: number;
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions: { code: string; field?: string; [k: string]: unknown };
  }[];
}

export interface Caller {
  token: string | null;
  principalId: string | null;
  /** Sends a contract operation by name, exactly as written in schema/operations. */
  op<T = any>(name: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** Sends any document. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
}

export interface TestServer {
  url: string;
  database: Database;
  server: SenimServer;
  public: Caller;
  /**
   * A caller holding a fresh, ACTIVE token of this role (one principal per role per file, created lazily),
   * issued as `npm run token` does: no approval needed. An INTAKE one is bound to EOTINISH.
   */
  as(role: Role): Promise<Caller>;
  /** A new principal and token of this role, distinct from the one `as` returns. */
  newCaller(role: Role, name?: string): Promise<Caller>;
  caller(token: string | null): Caller;
  close(): Promise<void>;
}

/** One real server on its own port for a test file, over the file's database. Call in beforeAll. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { privateDatabase?: boolean; database?: Database } = {},
): Promise<TestServer> {
  // A private database (its own PostgreSQL database, dropped at close) for figures over the whole force.
  const isolated = options.privateDatabase ? await openPrivateDatabase() : null;
  // Or one the caller opened, and closes.
  const database = options.database ?? isolated?.database ?? (await openTestDatabase());
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    AUDIT_KEY: process.env.AUDIT_KEY,
    ...env,
  });
  const server = await createSenimServer({ database, config, log: createLogger(config.logLevel) });
  const port = await server.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}/graphql`;

  const caller = (token: string | null, principalId: string | null = null): Caller => {
    const query = async (document: string, variables?: Record<string, unknown>) => {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: document, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    };
    return {
      token,
      principalId,
      query,
      op: (name, variables) => query(contractOperation(name), variables),
    };
  };

  const byRole = new Map<Role, Promise<Caller>>();
  const newCaller = async (role: Role, name = `Test ${role.toLowerCase()}`) => {
    // An INTAKE principal speaks for one channel; the tests' portal is eOtinish.
    const channel = role === "INTAKE" ? "EOTINISH" : null;
    const { token, principal } = await issuePrincipal(database.db, fixtureActor(), {
      role,
      name,
      channel,
    });
    return caller(token, principal.id);
  };
  return {
    url,
    database,
    server,
    public: caller(null),
    caller,
    newCaller,
    as(role) {
      if (!byRole.has(role)) byRole.set(role, newCaller(role));
      return byRole.get(role)!;
    },
    async close() {
      await server.close();
      if (options.database) return;
      await (isolated ? isolated.drop() : database.close());
    },
  };
}

/** The data of a result that must have succeeded; fails the test with the errors otherwise. */
export function ok<T>(result: GraphQLResult<T>): T {
  if (result.errors?.length || !result.data) {
    throw new Error(`Expected success, got ${result.status}: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/** The first error's code (and field), for `expect(errorOf(r)).toEqual({ code, field })`. */
export function errorOf(result: GraphQLResult): { code: string; field?: string } {
  const error = result.errors?.[0];
  if (!error) throw new Error(`Expected an error, got data ${JSON.stringify(result.data)}`);
  return error.extensions.field === undefined
    ? { code: error.extensions.code }
    : { code: error.extensions.code, field: error.extensions.field };
}
