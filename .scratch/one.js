require("reflect-metadata");
const { loadConfig } = require("../dist/src/config");
const { createLogger } = require("../dist/src/logger");
const { openConfiguredDatabase } = require("../dist/src/db/open");
const { createSenimServer } = require("../dist/src/server");
const { issuePrincipal } = require("../dist/src/auth/token");
const fs = require("fs");
(async () => {
  const config = loadConfig({ ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn" });
  const log = createLogger("warn");
  const database = await openConfiguredDatabase(config, log, {});
  const server = await createSenimServer({ database, config, log });
  const port = await server.listen(0, "127.0.0.1");
  const ops = fs.readFileSync(__dirname + "/../schema/operations/" + process.argv[2], "utf8");
  const name = process.argv[3];
  const start = ops.indexOf(`query ${name}(`);
  const end = ops.indexOf("\nquery ", start + 5);
  const query = ops.slice(start, end < 0 ? undefined : end);
  const token = process.env.TOKEN;
  for (let i = 0; i < Number(process.env.N ?? 1); i++) {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables: JSON.parse(process.argv[4]) }) });
    const text = await res.text();
    if (i === 0) console.log(text.slice(0, 300));
  }
  await server.close(); await database.close();
})();
