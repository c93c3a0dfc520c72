import "reflect-metadata";
import { sql } from "drizzle-orm";
import { loadConfig } from "../config";
import { rows, type Db } from "../db/client";
import { openConfiguredDatabase } from "../db/open";
import { createLogger } from "../logger";
import { loadAuditKeys, loadKeyRing } from "../crypto/keys";
import { appendAudit } from "../audit/audit.writer";
import type { KeyRing } from "../crypto/keyring";
import { cliArgs, integerOption } from "./args";
import { seedOfficers } from "./seed-officers";
import { seedComplaints } from "./seed-complaints";
import { seedCommendations } from "./seed-commendations";
import { seedReviews } from "./seed-reviews";
import { TEXT_POOLS } from "./seed-text";
import { sealSeededRecords } from "../crypto/reseal";
import {
  progress,
  run,
  withoutKeysAndIndexes,
  withRollupsRebuilt,
  withTriggersOff,
  type SeedFrame,
} from "./seed-sql";

/** The tables written in bulk, whose foreign keys and secondary indexes are checked and built once at the end. */
const BULK_TABLES = [
  "complaints",
  "allegations",
  "complaint_events",
  "commendations",
  "disciplinary_reviews",
  "review_allegations",
];

const USAGE =
  "npm run seed -- --officers N [--complaints M] [--commendations C] [--seed S] [--districts-per-region D] [--as-of YYYY-MM-DD] [--batch B]";

export interface SeedOptions {
  officers: number;
  complaints: number;
  /** Defaults to a fifth of the complaints. */
  commendations?: number;
  seed: number;
  districtsPerRegion: number;
  /** The seeded period is the 3 years before this day (default: today, UTC). */
  asOf?: string;
  /** Rows per INSERT statement. */
  batch?: number;
}

export interface SeedSummary {
  districts: number;
  officers: number;
  complaints: number;
  allegations: number;
  complaintEvents: number;
  commendations: number;
  reviews: number;
  sanctions: number;
  ms: number;
}

/** The 3 years before `asOf`, as dates. */
export function seedFrame(seed: number, asOf: string): SeedFrame {
  const end = new Date(`${asOf}T00:00:00Z`);
  const start = new Date(end);
  start.setUTCFullYear(end.getUTCFullYear() - 3);
  return {
    seed,
    windowStart: start.toISOString().slice(0, 10),
    anchor: asOf,
    days: Math.round((end.getTime() - start.getTime()) / 86_400_000),
  };
}

/**
 * Deterministic demo data at national scale, made by the database in set-based statements (INSERT ...
 * SELECT over generate_series), in one transaction: all of it or none. Row versions are not recorded row by
 * row (that would double the writes); one audit record, seedDemoData, says what was seeded, with its
 * counts in the digest. Refuses a database that already holds seeded officers.
 */
export async function seedDemo(
  db: Db,
  { keys, auditKeys }: { keys: KeyRing; auditKeys: KeyRing },
  options: SeedOptions,
  log = progress(Date.now()),
): Promise<SeedSummary> {
  const started = Date.now();
  const frame = seedFrame(options.seed, options.asOf ?? new Date().toISOString().slice(0, 10));
  const batch = options.batch ?? 50_000;
  const commendations = options.commendations ?? Math.round(options.complaints / 5);
  const summary = await db.transaction(async (tx) => {
    const [{ seeded }] = await rows<{ seeded: boolean }>(
      tx,
      sql`select exists (select 1 from officers where badge_number like 'DEMO-%') as seeded`,
    );
    if (seeded)
      throw new Error(
        "this database already holds seeded officers (DEMO-...): seed into a fresh database",
      );
    // A batch's plan, sorts and hashes stay in memory (temp_buffers only takes before the first temp table).
    await run(tx, "set local work_mem = '256MB'");
    // Index builds at the end sort in memory.
    await run(tx, "set local maintenance_work_mem = '512MB'");
    // The planner overestimates generate_series joins and would JIT-compile each batch for a second.
    await run(tx, "set local jit = off");
    await run(tx, "savepoint buffers");
    await run(tx, "set local temp_buffers = '256MB'").then(
      () => run(tx, "release savepoint buffers"),
      () => run(tx, "rollback to savepoint buffers"),
    );
    const counts = await withTriggersOff(tx, "versions_", () =>
      withRollupsRebuilt(tx, log, async () => {
        const pool = await seedOfficers(
          tx,
          frame,
          { officers: options.officers, districtsPerRegion: options.districtsPerRegion, batch },
          log,
        );
        const { complaints, commended, reviews } = await withoutKeysAndIndexes(
          tx,
          BULK_TABLES,
          log,
          async () => ({
            complaints: options.complaints
              ? await seedComplaints(
                  tx,
                  frame,
                  pool,
                  TEXT_POOLS,
                  { complaints: options.complaints, batch },
                  log,
                )
              : { complaints: 0, allegations: 0, events: 0 },
            commended: await seedCommendations(
              tx,
              frame,
              pool,
              TEXT_POOLS,
              { commendations, batch },
              log,
            ),
            reviews: options.complaints
              ? await seedReviews(tx, frame, log)
              : { reviews: 0, sanctions: 0 },
          }),
        );
        await sealSeededRecords(tx, keys);
        log("sealed under their own data keys", complaints.complaints + commended);
        return {
          districts: pool.districts,
          officers: pool.officers,
          complaints: complaints.complaints,
          allegations: complaints.allegations,
          complaintEvents: complaints.events,
          commendations: commended,
          ...reviews,
        };
      }),
    );
    await appendAudit(tx, { principal: null, requestId: `seed-${process.pid}`, auditKeys }, [
      {
        action: "seedDemoData",
        entity: null,
        entityId: null,
        outcome: "SUCCESS",
        input: { options, counts },
      },
    ]);
    log("audited", 1);
    return counts;
  });
  log(
    "committed",
    summary.officers +
      summary.complaints +
      summary.allegations +
      summary.complaintEvents +
      summary.commendations,
  );
  // Fresh statistics, so the first queries after a seed are planned for the rows now there, and the
  // visibility map set, so covering indexes answer without visiting the table (index-only scans): the
  // national roster's page and count read 493 table pages each without it. Autovacuum would get there
  // later, or never where it is off.
  await run(
    db,
    "vacuum (analyze) units, officers, officer_assignments, officer_status_changes, complaints, allegations, complaint_events, commendations, disciplinary_reviews, review_allegations, metrics_daily, metrics_category_daily, metrics_close_days",
  );
  log("vacuumed and analyzed", 0);
  return { ...summary, ms: Date.now() - started };
}

async function main() {
  const args = cliArgs(
    {
      officers: { type: "string", default: "1000" },
      complaints: { type: "string", default: "0" },
      commendations: { type: "string" },
      "districts-per-region": { type: "string", default: "10" },
      seed: { type: "string", default: "1" },
      "as-of": { type: "string" },
      batch: { type: "string", default: "50000" },
    },
    USAGE,
  );
  const options: SeedOptions = {
    officers: integerOption(args.officers, "--officers", 1, 2_000_000, USAGE),
    complaints: integerOption(args.complaints, "--complaints", 0, 2_500_000, USAGE),
    commendations:
      args.commendations === undefined
        ? undefined
        : integerOption(args.commendations, "--commendations", 0, 2_500_000, USAGE),
    districtsPerRegion: integerOption(
      args["districts-per-region"],
      "--districts-per-region",
      1,
      99,
      USAGE,
    ),
    seed: integerOption(args.seed, "--seed", 0, 1_000_000, USAGE),
    batch: integerOption(args.batch, "--batch", 100, 1_000_000, USAGE),
    asOf: args["as-of"],
  };
  if (
    options.asOf !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}$/.test(options.asOf) || Number.isNaN(Date.parse(options.asOf)))
  ) {
    process.stderr.write(`--as-of must be a date YYYY-MM-DD\nUsage: ${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger("warn", 2);
  // Dropping keys and indexes and disabling triggers is the tables' owner's right.
  const database = await openConfiguredDatabase(config, log, {
    batch: true,
    purpose: "npm run seed",
    asOwner: true,
  });
  try {
    const summary = await seedDemo(
      database.db,
      { keys: loadKeyRing(config, log), auditKeys: loadAuditKeys(config, log) },
      options,
    );
    process.stdout.write(`${JSON.stringify({ database: database.kind, ...summary })}\n`);
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`seed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
