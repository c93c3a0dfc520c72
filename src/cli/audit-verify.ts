import "reflect-metadata";
import { loadConfig } from "../config";
import { openConfiguredDatabase } from "../db/open";
import { createLogger } from "../logger";
import { verifyChain } from "../audit/audit.verify";

/** Exit 0 when the chain verifies, 1 when it is broken (or cannot be read). */
async function main() {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config, createLogger("warn", 2), {
    purpose: "npm run audit:verify",
    whileInUse: "While the server runs, an AUDITOR token can ask it instead: verifyAuditChain.",
  });
  try {
    const report = await verifyChain(database.db);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (!report.ok) process.stderr.write(`audit chain broken at seq ${report.firstBrokenSeq}\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  process.stderr.write(`audit:verify: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
