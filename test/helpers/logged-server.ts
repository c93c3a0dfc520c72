import "reflect-metadata";
import { loadConfig } from "../../src/config";
import type { Database } from "../../src/db/client";
import { createLogger } from "../../src/logger";
import { createSenimServer, type SenimServer } from "../../src/server";
import { openTestDatabase } from "./database";

export type LogLine = Record<string, unknown> & {
  msg?: string;
  requestId?: string;
  clientRequestId?: string;
  level: number;
};

export interface LoggedServer {
  /** http://127.0.0.1:port, without a path. */
  origin: string;
  database: Database;
  server: SenimServer;
  /** Every line the server has logged so far, parsed. */
  lines: LogLine[];
  /** The raw log text, for "never contains" checks. */
  text(): string;
}

/**
 * Like startTestServer, but at LOG_LEVEL info with its log lines kept in memory, for tests about
 * what reaches the log. The caller closes `server` and `database` as it needs.
 */
export async function startLoggedServer(env: Record<string, string> = {}): Promise<LoggedServer> {
  const database = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    AUDIT_KEY: process.env.AUDIT_KEY,
    ...env,
  });
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const destination = {
    write(line: string) {
      raw.push(line);
      lines.push(JSON.parse(line) as LogLine);
    },
  };
  const server = await createSenimServer({
    database,
    config,
    log: createLogger(config.logLevel, destination),
  });
  const port = await server.listen(0, "127.0.0.1");
  return { origin: `http://127.0.0.1:${port}`, database, server, lines, text: () => raw.join("") };
}
