import "reflect-metadata";
import { eq, like } from "drizzle-orm";
import { loadConfig } from "../config";
import type { Db } from "../db/client";
import { openConfiguredDatabase } from "../db/open";
import { officerAssignments, officers, ranks, units } from "../db/schema";
import { createLogger } from "../logger";
import { appendAudit } from "../audit/audit.writer";
import { cliArgs } from "./args";
import { seedComplaints } from "./seed-complaints";
import { loadKeyRing } from "../crypto/keys";

const USAGE = "npm run seed -- --officers N [--complaints M] [--districts-per-region D] [--seed S]";

const FIRST = ["Nurlan", "Aigerim", "Dauren", "Aliya", "Yerlan", "Madina", "Arman", "Dana", "Timur", "Saule", "Askar", "Gulnara", "Bauyrzhan", "Zhanna", "Marat", "Aizhan"];
const LAST = ["Bekov", "Sadykova", "Abenov", "Nurlanova", "Seitkali", "Omarova", "Zhaksylykov", "Tulegenova", "Kassymov", "Ismailova", "Akhmetov", "Mukanova"];

/** mulberry32: a tiny seeded generator, so `--seed S` gives the same data on every machine. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic demo data: districts under every region, then officers spread over them.
 * Badge numbers are DEMO-<n>, so running it again adds nothing twice.
 */
export interface SeedOptions {
  officers: number;
  districtsPerRegion: number;
  seed: number;
}

export async function seedDemo(db: Db, options: SeedOptions) {
  const { officers: count, districtsPerRegion: perRegion, seed } = options;
  const started = Date.now();
  const next = random(seed);

  const regions = await db.select().from(units).where(eq(units.kind, "REGION"));
  for (const region of regions) {
    const districts = Array.from({ length: perRegion }, (_, i) => {
      const code = `${region.code}-D${String(i + 1).padStart(2, "0")}`;
      return { code, name: `${region.name.replace("Police Department of ", "")} district ${i + 1} police`, kind: "DISTRICT" as const, parentId: region.id, path: `${region.path}${code}/` };
    });
    await db.insert(units).values(districts).onConflictDoNothing();
  }
  const districtIds = (await db.select({ id: units.id }).from(units).where(like(units.code, "KZ-%-D%"))).map((u) => u.id).sort();
  const rankCodes = (await db.select({ code: ranks.code }).from(ranks).orderBy(ranks.seniority)).map((r) => r.code);
  const existing = new Set((await db.select({ badge: officers.badgeNumber }).from(officers).where(like(officers.badgeNumber, "DEMO-%"))).map((o) => o.badge));

  let created = 0;
  for (let start = 0; start < count; start += 2000) {
    const batch: { badgeNumber: string; fullName: string; rank: string; hiredAt: string; unitId: string }[] = [];
    for (let i = start; i < Math.min(count, start + 2000); i++) {
      const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
      // Junior ranks are far more common than senior ones.
      const rank = rankCodes[Math.min(rankCodes.length - 1, Math.floor(next() ** 2.5 * 11))];
      const year = 1995 + Math.floor(next() * 30);
      const hiredAt = `${year}-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`;
      const row = { badgeNumber: `DEMO-${String(i + 1).padStart(7, "0")}`, fullName: `${pick(FIRST)} ${pick(LAST)}`, rank, hiredAt, unitId: pick(districtIds) };
      if (!existing.has(row.badgeNumber)) batch.push(row);
    }
    if (!batch.length) continue;
    await db.transaction(async (tx) => {
      const inserted = await tx.insert(officers).values(batch).returning({ id: officers.id, badgeNumber: officers.badgeNumber });
      const unitOf = new Map(batch.map((b) => [b.badgeNumber, b]));
      await tx.insert(officerAssignments).values(
        inserted.map((o) => ({ officerId: o.id, unitId: unitOf.get(o.badgeNumber)!.unitId, fromDate: unitOf.get(o.badgeNumber)!.hiredAt })),
      );
      await appendAudit(tx, { principal: null, requestId: `cli-seed-${process.pid}` }, [
        { action: "seed", entity: "Officer", entityId: null, outcome: "SUCCESS" },
      ]);
    });
    created += batch.length;
  }
  return { districts: districtIds.length, officersCreated: created, ms: Date.now() - started };
}

async function main() {
  const args = cliArgs(
    { officers: { type: "string", default: "1000" }, complaints: { type: "string", default: "0" }, "districts-per-region": { type: "string", default: "5" }, seed: { type: "string", default: "1" } },
    USAGE,
  );
  const options = { officers: Number(args.officers), districtsPerRegion: Number(args["districts-per-region"]), seed: Number(args.seed) };
  const { officers: count, districtsPerRegion: perRegion, seed } = options;
  if (![count, perRegion, seed].every(Number.isInteger) || count < 0 || count > 2_000_000 || perRegion < 1 || perRegion > 50) {
    process.stderr.write(`Usage: ${USAGE}\n`);
    process.exit(2);
  }
  const complaintCount = Number(args.complaints);
  if (!Number.isInteger(complaintCount) || complaintCount < 0 || complaintCount > 10_000_000) {
    process.stderr.write(`--complaints must be a whole number up to 10000000\nUsage: ${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger("warn", 2);
  const database = await openConfiguredDatabase(config, log, { batch: true });
  try {
    const officersSeeded = await seedDemo(database.db, options);
    const complaintsSeeded = complaintCount
      ? await seedComplaints(database.db, loadKeyRing(config, log), { complaints: complaintCount, seed }, random(seed + 1))
      : {};
    process.stdout.write(`${JSON.stringify({ ...officersSeeded, ...complaintsSeeded })}\n`);
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`seed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
