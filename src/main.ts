import "reflect-metadata";
import { existsSync } from "node:fs";
import { anchorChain } from "./audit/audit.writer";
import { announceFirstAdmin } from "./auth/first-admin";
import { ConfigError, loadConfig } from "./config";
import { openConfiguredDatabase } from "./db/open";
import { DataDirInUseError } from "./db/pglite-lock";
import { loadAuditKeys, loadKeyRing } from "./crypto/keys";
import { sealLegacyRecords } from "./crypto/reseal";
import { createLogger } from "./logger";
import { createSenimServer } from "./server";

async function main() {
  const started = Date.now();
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const fresh = !config.databaseUrl && !existsSync(config.pgliteDir);
  const database = await openConfiguredDatabase(config, log, {
    purpose: "the Senim server",
    asServer: true,
  });
  const auditKeys = loadAuditKeys(config, log);
  const keys = loadKeyRing(config, log);
  const startup = { principal: null, requestId: `start-${process.pid}`, auditKeys };
  await anchorChain(database.db, startup);
  await sealLegacyRecords(database.db, keys, startup, log);
  await announceFirstAdmin(database.db, config.env, auditKeys, log);
  const server = await createSenimServer({ database, config, log, keys, auditKeys });
  const port = await server.listen();
  log.info(
    { port, database: database.kind, freshDataDir: fresh, startupMs: Date.now() - started },
    `Senim listening on http://localhost:${port}/graphql`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down: draining requests");
    try {
      await server.close();
      await database.close();
      log.info("stopped cleanly");
      process.exit(0);
    } catch (err) {
      log.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else if (err instanceof DataDirInUseError) {
    process.stderr.write(`Senim cannot start: ${err.message}\n`);
  } else {
    process.stderr.write(
      `Senim failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
  }
  process.exit(1);
});
