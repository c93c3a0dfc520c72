import "reflect-metadata";
import { loadConfig } from "../config";
import { loadAuditKeys, loadKeyRing } from "../crypto/keys";
import { rotateDataKeys } from "../crypto/reseal";
import { openConfiguredDatabase } from "../db/open";
import { createLogger } from "../logger";
import { cliArgs } from "./args";

const USAGE = "npm run keys:rotate";

/**
 * Re-wraps every complaint's and commendation's data key under the first key of ENCRYPTION_KEYS. To rotate:
 * put a new key first in ENCRYPTION_KEYS (keeping the old ones), restart, run this, then remove the old keys.
 * Safe to run while the server runs, and to run again: it only touches what is not yet under the active key.
 */
async function main() {
  cliArgs({}, USAGE);
  const config = loadConfig();
  const log = createLogger("warn", 2);
  const database = await openConfiguredDatabase(config, log, { purpose: USAGE });
  try {
    const ring = loadKeyRing(config, log);
    const counts = await rotateDataKeys(database.db, ring, {
      principal: null,
      requestId: `keys-rotate-${process.pid}`,
      auditKeys: loadAuditKeys(config, log),
    });
    process.stdout.write(
      `${JSON.stringify({ activeKeyId: ring.activeKeyId, rewrapped: counts })}\n`,
    );
    process.stderr.write(
      `Every stored value is now under "${ring.activeKeyId}"; older keys may leave ENCRYPTION_KEYS.\n`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`keys:rotate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
