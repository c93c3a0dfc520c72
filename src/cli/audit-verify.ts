import "reflect-metadata";
import { readFileSync } from "node:fs";
import { loadConfig } from "../config";
import { loadAuditKeys } from "../crypto/keys";
import { openConfiguredDatabase } from "../db/open";
import { createLogger } from "../logger";
import { checkpoint, verifyChain, type Checkpoint } from "../audit/audit.verify";
import { cliArgs } from "./args";

const USAGE = "npm run audit:verify -- [--since checkpoint.json] [--checkpoint]";

/**
 * A checkpoint from a file: as auditCheckpoint returned it (bare, or in its GraphQL response), or the
 * server's "audit checkpoint" log line.
 */
export function readCheckpoint(text: string): Checkpoint {
  const json = JSON.parse(text) as Record<string, unknown>;
  const data = json.data as Record<string, unknown> | undefined;
  const c = (data?.auditCheckpoint ?? json.auditCheckpoint ?? json) as Record<string, unknown>;
  const seq = Number(c.seq);
  const at = new Date(String(c.at));
  if (
    !Number.isSafeInteger(seq) ||
    typeof c.hash !== "string" ||
    typeof c.signature !== "string" ||
    Number.isNaN(at.getTime())
  )
    throw new Error("not a checkpoint: expected { seq, hash, at, signature }");
  return { seq, hash: c.hash, at, signature: c.signature };
}

/**
 * Exit 0 when the chain verifies (and holds the --since checkpoint), 1 when it does not (or cannot be read).
 * --checkpoint prints a new signed head on stdout instead, to keep outside the database.
 */
async function main() {
  const args = cliArgs({ since: { type: "string" }, checkpoint: { type: "boolean" } }, USAGE);
  let since: Checkpoint | null = null;
  if (args.since) {
    try {
      since = readCheckpoint(readFileSync(args.since, "utf8"));
    } catch (e) {
      process.stderr.write(`--since ${args.since}: ${(e as Error).message}\nUsage: ${USAGE}\n`);
      process.exit(2);
    }
  }
  const config = loadConfig();
  const log = createLogger("warn", 2);
  const keys = loadAuditKeys(config, log);
  const database = await openConfiguredDatabase(config, log, {
    purpose: "npm run audit:verify",
    whileInUse: "While the server runs, an AUDITOR token can ask it instead: verifyAuditChain.",
  });
  try {
    if (args.checkpoint) {
      process.stdout.write(`${JSON.stringify(await checkpoint(database.db, keys))}\n`);
      return;
    }
    const report = await verifyChain(database.db, keys, { since });
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (!report.ok) process.stderr.write(`audit chain broken: ${report.problem}\n`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

if (require.main === module)
  main().catch((err) => {
    process.stderr.write(`audit:verify: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
