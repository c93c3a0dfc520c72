import "reflect-metadata";
import { loadConfig } from "../src/config";
import { openConfiguredDatabase } from "../src/db/open";
import { createLogger } from "../src/logger";
import { createSenimServer } from "../src/server";

/**
 * The server as `npm start` runs it (src/main.ts), forked by bench/run.ts with one addition for the
 * benchmark only: the parent asks over the IPC channel how many SQL statements the server has sent, and
 * how much CPU it has used (a machine's noise moves req/s far more than it moves CPU per request).
 */
async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, log);
  const server = await createSenimServer({ database, config, log });
  const port = await server.listen(config.port, config.host);
  process.on("message", (message) => {
    if (message !== "counters") return;
    const { user, system } = process.cpuUsage();
    process.send!({ statements: database.statements.count, cpuMicros: user + system });
  });
  process.on("SIGTERM", () => {
    void server
      .close()
      .then(() => database.close())
      .finally(() => process.exit(0));
  });
  // The public figures built at start take a core for seconds (more on a small seed): not the first scenario's.
  await server.publicFiguresWarmed();
  process.send!({ port });
}

main().catch((err) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
