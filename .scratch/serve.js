require("reflect-metadata");
const { loadConfig } = require("../dist/src/config");
const { createLogger } = require("../dist/src/logger");
const { openConfiguredDatabase } = require("../dist/src/db/open");
const { createSenimServer } = require("../dist/src/server");
(async () => {
  const config = loadConfig({ ...process.env, NODE_ENV: "production", MIGRATION_DATABASE_URL: process.env.DATABASE_URL, ENCRYPTION_KEYS: "b:" + Buffer.alloc(32, 1).toString("base64"), AUDIT_KEY: "a:" + Buffer.alloc(32, 2).toString("base64"), RATE_LIMIT_TRUST_METRICS: "0", LOG_LEVEL: "warn" });
  const log = createLogger("warn");
  const database = await openConfiguredDatabase(config, log, {});
  const server = await createSenimServer({ database, config, log });
  await server.listen(4555, "127.0.0.1");
  console.log("listening");
  setTimeout(async () => { await server.close(); await database.close(); process.exit(0); }, Number(process.env.SECONDS ?? 25) * 1000);
})();
