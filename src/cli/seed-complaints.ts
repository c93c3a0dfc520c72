import { createHash } from "node:crypto";
import { and, eq, like, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { allegations, CATEGORIES, complaintEvents, complaints, officerAssignments, officers, trackingCounters, type CaseStatus } from "../db/schema";
import type { KeyRing } from "../crypto/keyring";
import { appendAudit } from "../audit/audit.writer";
import { addWorkingDays } from "../common/working-days";
import { holidays } from "../modules/complaint/intake.service";

const DAY = 86_400_000;
const FINDINGS = [
  ["SUSTAINED", 0.12],
  ["NOT_SUSTAINED", 0.4],
  ["EXONERATED", 0.15],
  ["UNFOUNDED", 0.18],
  ["POLICY_FAILURE", 0.05],
] as const;

/**
 * Deterministic demo complaints against the demo officers (run `seedDemo` first): registered over the last
 * two years, older ones mostly closed with findings, with sealed narratives and complainants as the API
 * would write them. Tracking numbers continue each year's counter, so later submissions never collide.
 */
export async function seedComplaints(db: Db, keys: KeyRing, options: { complaints: number; seed: number }, next: () => number) {
  const started = Date.now();
  const staff = await db
    .select({ id: officers.id, unitId: officerAssignments.unitId })
    .from(officers)
    .innerJoin(officerAssignments, and(eq(officerAssignments.officerId, officers.id)))
    .where(and(like(officers.badgeNumber, "DEMO-%"), sql`${officerAssignments.toDate} is null`))
    .orderBy(officers.badgeNumber);
  if (!staff.length) throw new Error("no demo officers: seed officers first (--officers N)");
  const nonWorking = await holidays(db);
  const now = Date.now();
  const narrative = keys.seal("Demo complaint: the officer was rude and refused to help.");
  const name = keys.seal("Demo Complainant");
  const accessCodeHash = createHash("sha256").update(`demo-${options.seed}`).digest("hex");
  let created = 0;

  for (let start = 0; start < options.complaints; start += 2000) {
    const size = Math.min(2000, options.complaints - start);
    await db.transaction(async (tx) => {
      const counters = new Map<number, number>();
      const planned = Array.from({ length: size }, () => {
        const who = staff[Math.floor(next() * staff.length)];
        const registeredAt = new Date(now - next() * 730 * DAY);
        const year = registeredAt.getUTCFullYear();
        const ageDays = (now - registeredAt.getTime()) / DAY;
        const r = next();
        const status: CaseStatus =
          ageDays > 60 ? (r < 0.9 ? "CLOSED" : "PENDING_REVIEW") : r < 0.3 ? "REGISTERED" : r < 0.5 ? "ASSIGNED" : r < 0.8 ? "UNDER_INVESTIGATION" : "CLOSED";
        const categories = [CATEGORIES[Math.floor(next() ** 1.5 * CATEGORIES.length)]];
        if (next() < 0.3) categories.push(CATEGORIES[Math.floor(next() * CATEGORIES.length)]);
        return { who, registeredAt, year, status, categories: [...new Set(categories)], r2: next(), r3: next(), r4: next() };
      });
      for (const year of new Set(planned.map((p) => p.year))) {
        const [row] = await tx
          .insert(trackingCounters)
          .values({ scope: "SNM", year, last: 0 })
          .onConflictDoUpdate({ target: [trackingCounters.scope, trackingCounters.year], set: { last: sql`${trackingCounters.last}` } })
          .returning({ last: trackingCounters.last });
        counters.set(year, row.last);
      }
      const values = planned.map((p) => {
        const number = counters.get(p.year)! + 1;
        counters.set(p.year, number);
        const day = p.registeredAt.toISOString().slice(0, 10);
        const due = new Date(p.registeredAt.getTime() + (Date.parse(addWorkingDays(day, 15, nonWorking)) - Date.parse(day)));
        const closed = p.status === "CLOSED";
        return {
          trackingNumber: `SNM-${p.year}-${String(number).padStart(6, "0")}`,
          status: p.status,
          channel: "WEB_FORM" as const,
          language: "RU" as const,
          incidentAt: new Date(p.registeredAt.getTime() - p.r2 * 10 * DAY),
          unitId: p.who.unitId,
          narrativeSealed: narrative,
          anonymous: p.r3 < 0.2,
          complainantType: p.r3 < 0.2 ? null : ("VICTIM" as const),
          complainantNameSealed: p.r3 < 0.2 ? null : name,
          accessCodeHash,
          registeredAt: p.registeredAt,
          responseDueAt: due,
          closedAt: closed ? new Date(Math.min(now, p.registeredAt.getTime() + (5 + p.r4 * 30) * DAY)) : null,
          feedbackRating: closed && p.r4 < 0.3 ? 1 + Math.floor(p.r2 * 5) : null,
          feedbackAt: closed && p.r4 < 0.3 ? new Date(now) : null,
        };
      });
      const inserted = await tx.insert(complaints).values(values).returning({ id: complaints.id });
      const allegationRows = planned.flatMap((p, i) =>
        p.categories.map((category) => {
          let finding: (typeof FINDINGS)[number][0] | null = null;
          let closureReason: "WITHDRAWN" | null = null;
          if (p.status === "CLOSED") {
            let roll = next();
            if (roll < 0.1) closureReason = "WITHDRAWN";
            else {
              roll = (roll - 0.1) / 0.9;
              for (const [f, share] of FINDINGS) {
                if (roll < share) {
                  finding = f;
                  break;
                }
                roll -= share;
              }
              finding ??= "NOT_SUSTAINED";
            }
          }
          return { complaintId: inserted[i].id, category, officerId: p.who.id, unitAtIncidentId: p.who.unitId, finding, closureReason, createdAt: p.registeredAt };
        }),
      );
      await tx.insert(allegations).values(allegationRows);
      await tx.insert(complaintEvents).values(inserted.map((c, i) => ({ complaintId: c.id, at: planned[i].registeredAt, kind: "REGISTERED" })));
      for (const [year, last] of counters) {
        await tx.update(trackingCounters).set({ last }).where(and(eq(trackingCounters.scope, "SNM"), eq(trackingCounters.year, year)));
      }
      await appendAudit(tx, { principal: null, requestId: `cli-seed-${process.pid}` }, [{ action: "seed", entity: "Complaint", entityId: null, outcome: "SUCCESS" }]);
    });
    created += size;
  }
  return { complaintsCreated: created, complaintsMs: Date.now() - started };
}
