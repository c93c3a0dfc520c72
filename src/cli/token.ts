import "reflect-metadata";
import { loadConfig } from "../config";
import { CHANNELS, ROLES, type PrincipalRow, type Role } from "../db/schema";
import { openConfiguredDatabase } from "../db/open";
import { loadAuditKeys } from "../crypto/keys";
import { createLogger } from "../logger";
import {
  channelProblem,
  expiryProblem,
  issuePrincipal,
  TOKEN_DEFAULT_DAYS,
  TOKEN_MAX_DAYS,
} from "../auth/token";
import { cliArgs, integerOption } from "./args";

const USAGE = `npm run token -- --role <${ROLES.join("|")}> --name "Who holds it" [--expires-in-days 1-${TOKEN_MAX_DAYS} | --expires-at 2027-12-31T00:00:00Z] [--channel <${CHANNELS.join("|")}> (INTAKE only, required)]`;

/**
 * Prints a new token, and nothing else, on stdout: `export TOKEN=$(npm run -s token -- ...)` works.
 * Any role, active at once (whoever runs this holds the database already); it expires like any other.
 */
async function main() {
  const args = cliArgs(
    {
      role: { type: "string" },
      name: { type: "string" },
      "expires-at": { type: "string" },
      "expires-in-days": { type: "string" },
      channel: { type: "string" },
    },
    USAGE,
  );
  const role = args.role as Role;
  if (!ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(", ")}`);
  const name = args.name?.trim() ?? "";
  if (name.length < 2 || name.length > 200) fail("--name must be 2 to 200 characters");
  if (args["expires-at"] && args["expires-in-days"])
    fail("give --expires-at or --expires-in-days, not both");
  const now = new Date();
  const days = integerOption(
    args["expires-in-days"] ?? String(TOKEN_DEFAULT_DAYS),
    "--expires-in-days",
    1,
    TOKEN_MAX_DAYS,
    USAGE,
  );
  const expiresAt = args["expires-at"]
    ? new Date(args["expires-at"])
    : new Date(now.getTime() + days * 86_400_000);
  const expiry = expiryProblem(expiresAt, now);
  if (expiry) fail(`--expires-at: ${expiry}, such as 2027-12-31T00:00:00Z`);
  const channel = (args.channel ?? null) as PrincipalRow["channel"];
  if (channel && !CHANNELS.includes(channel))
    fail(`--channel must be one of ${CHANNELS.join(", ")}`);
  const bound = channelProblem(role, channel);
  if (bound) fail(`--channel: ${bound}`);
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
      { role, name, expiresAt, channel },
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
