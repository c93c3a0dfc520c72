import "reflect-metadata";
import { loadConfig } from "../config";
import { ROLES, type Role } from "../db/schema";
import { openConfiguredDatabase } from "../db/open";
import { loadAuditKeys } from "../crypto/keys";
import { createLogger } from "../logger";
import { issuePrincipal } from "../auth/token";
import { cliArgs } from "./args";

const USAGE = `npm run token -- --role <${ROLES.join("|")}> --name "Who holds it" [--expires-at 2027-12-31T00:00:00Z]`;

/** Prints a new token, and nothing else, on stdout: `export TOKEN=$(npm run -s token -- ...)` works. */
async function main() {
  const args = cliArgs(
    { role: { type: "string" }, name: { type: "string" }, "expires-at": { type: "string" } },
    USAGE,
  );
  const role = args.role as Role;
  if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(", ")}`);
  const name = args.name?.trim() ?? "";
  if (name.length < 2 || name.length > 200) fail("--name must be 2 to 200 characters");
  const expiresAt = args["expires-at"] ? new Date(args["expires-at"]) : null;
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
    fail("--expires-at must be a future date-time such as 2027-12-31T00:00:00Z");
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, 2);
  const database = await openConfiguredDatabase(config, log, {
    purpose: "npm run token",
    whileInUse:
      "While the server runs, issue tokens through it instead: call issueApiToken with the ADMIN token it printed on its first start (Authorization: Bearer <token>), or with any ADMIN token.",
  });
  try {
    const { token } = await issuePrincipal(
      database.db,
      {
        principal: null,
        requestId: `cli-token-${process.pid}`,
        auditKeys: loadAuditKeys(config, log),
      },
      { role, name, expiresAt },
    );
    process.stdout.write(`${token}\n`);
  } finally {
    await database.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\nUsage: ${USAGE}\n`);
  process.exit(2);
}

main().catch((err) => {
  process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
