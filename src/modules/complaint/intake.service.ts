import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { rows, type Queryable, type Tx, anyOf } from "../../db/client";
import {
  allegations,
  complaintEvents,
  complaints,
  idempotencyKeys,
  officers,
  publicHolidays,
  trackingCounters,
  units,
  type ComplaintRow,
} from "../../db/schema";
import { badInput, DomainError, invalidState, notFound } from "../../errors";
import { addWorkingDays } from "../../common/working-days";
import { requirePastEvent } from "../../common/validation";
import { dateFormat, todayIn } from "../../common/clock";
import { unitIdsOn } from "../officer/officer.service";
import { publicMessages } from "./complaint.messages";
import type { SubmitComplaintFeedbackInput, SubmitComplaintInput } from "./complaint.input";
import {
  ComplaintOutcome,
  type ComplaintReceipt,
  type ComplaintStatusView,
} from "./complaint.type";

/** Deadline: 15 working days (DESIGN.md). */
export const RESPONSE_WORKING_DAYS = 15;

/** Stable JSON: keys sorted, so that the same input always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** 16 characters of Crockford base32 = 80 random bits, easy to read out over the phone. */
export function newAccessCode(): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const bytes = randomBytes(16);
  let code = "";
  for (let i = 0; i < 16; i++) code += alphabet[bytes[i] & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`;
}

/** Codes are compared on their letters only, so "abcd efgh" and "ABCD-EFGH" are the same code. */
export const hashAccessCode = (code: string) =>
  sha256(code.toUpperCase().replace(/[^0-9A-Z]/g, ""));

const holidayCache = new WeakMap<object, Promise<Set<string>>>();

/** Public holidays, read once per database: they change only by migration. */
export function holidays(db: Queryable): Promise<Set<string>> {
  let cached = holidayCache.get(db);
  if (!cached) {
    cached = db
      .select({ day: publicHolidays.day })
      .from(publicHolidays)
      .then((rows) => new Set(rows.map((r) => r.day)));
    holidayCache.set(db, cached);
    // A read that failed (the database was down) is not kept: the next submission reads again.
    cached.catch(() => holidayCache.delete(db));
  }
  return cached;
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function zoneOffsetMs(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    dateFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** Same local time of day, 15 working days later (in the service's time zone, across any clock change). */
export function responseDueAt(
  ctx: Context,
  registeredAt: Date,
  holidays: ReadonlySet<string>,
): Date {
  const timeZone = ctx.config.timeZone;
  const day = todayIn(timeZone, registeredAt);
  const due = addWorkingDays(day, RESPONSE_WORKING_DAYS, holidays);
  const days = (Date.parse(`${due}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000;
  const naive = new Date(registeredAt.getTime() + days * 86_400_000);
  return new Date(
    naive.getTime() + zoneOffsetMs(timeZone, registeredAt) - zoneOffsetMs(timeZone, naive),
  );
}

const formatNumber = (prefix: string, year: number, n: number) =>
  `${prefix}-${year}-${String(n).padStart(6, "0")}`;

/** Next number in the year's sequence; the counter row stays locked until commit, so numbers never repeat or skip. */
async function takeNumber(tx: Tx, prefix: string, year: number): Promise<number> {
  const [{ last }] = await tx
    .insert(trackingCounters)
    .values({ scope: prefix, year, last: 1 })
    .onConflictDoUpdate({
      target: [trackingCounters.scope, trackingCounters.year],
      set: { last: sql`${trackingCounters.last} + 1` },
    })
    .returning({ last: trackingCounters.last });
  return last;
}

/**
 * The next tracking number and the registration time, both taken under the year's counter lock (held until
 * commit) and from the database's clock: whichever process registers, a later number never has an earlier time.
 */
export async function registerNumber(
  tx: Tx,
  prefix: string,
  timeZone: string,
): Promise<{ trackingNumber: string; registeredAt: Date }> {
  let year = Number(todayIn(timeZone).slice(0, 4));
  for (;;) {
    const n = await takeNumber(tx, prefix, year);
    const [{ ms }] = await rows<{ ms: number | string }>(
      tx,
      sql`select floor(extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
    );
    const registeredAt = new Date(Number(ms));
    const registeredYear = Number(todayIn(timeZone, registeredAt).slice(0, 4));
    if (registeredYear === year)
      return { trackingNumber: formatNumber(prefix, year, n), registeredAt };
    // The year turned while this request waited for the lock: hand the number back, take the new year's.
    await tx
      .update(trackingCounters)
      .set({ last: sql`${trackingCounters.last} - 1` })
      .where(and(eq(trackingCounters.scope, prefix), eq(trackingCounters.year, year)));
    year = registeredYear;
  }
}

/**
 * Claims an idempotency key inside the caller's transaction. Returns null when this request owns the key;
 * otherwise the earlier receipt (same input) or IDEMPOTENCY_KEY_REUSED (different input). A concurrent
 * first request makes this one wait on the key's row until it commits or rolls back.
 */
export async function claimIdempotencyKey<T>(
  ctx: Context,
  tx: Tx,
  scope: string,
  key: string,
  requestHash: string,
): Promise<T | null> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length) return null;
  const [earlier] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  if (earlier.requestHash !== requestHash) {
    throw new DomainError(
      "IDEMPOTENCY_KEY_REUSED",
      "This idempotencyKey was already used for a different submission",
      { field: "input.idempotencyKey" },
    );
  }
  return JSON.parse(ctx.keys.open(earlier.receiptSealed!), (k, v) =>
    k.endsWith("At") ? new Date(v) : v,
  ) as T;
}

export async function recordIdempotentResult(
  ctx: Context,
  tx: Tx,
  scope: string,
  key: string,
  resultId: string,
  receipt: object,
) {
  await tx
    .update(idempotencyKeys)
    .set({ resultId, receiptSealed: ctx.keys.seal(JSON.stringify(receipt)) })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

/** Registers a complaint from a form (or from staff for walk-ins and calls, who are then recorded). */
export async function submitComplaint(
  ctx: Context,
  input: SubmitComplaintInput,
): Promise<ComplaintReceipt> {
  requirePastEvent("incidentAt", input.incidentAt);
  const refs = input.officers ?? [];
  refs.forEach((ref, i) => {
    if (!ref.badgeNumber === !ref.description) {
      throw badInput(
        `input.officers.${i}`,
        "give either badgeNumber or description for each officer",
      );
    }
    // The same officer twice would count every allegation against them twice.
    if (ref.badgeNumber && refs.findIndex((other) => other.badgeNumber === ref.badgeNumber) < i) {
      throw badInput(`input.officers.${i}.badgeNumber`, "each officer may be named only once");
    }
  });
  // A UUID is the same key in either case: the database compares it as a uuid, so the hash must too.
  const idempotencyKey = input.idempotencyKey.toLowerCase();
  const requestHash = sha256(canonicalJson({ ...input, idempotencyKey }));
  // Read before the transaction: on PGlite a statement outside an open transaction waits for it to end.
  const nonWorkingDays = await holidays(ctx.db);
  return inTransaction(ctx, async (tx, audit) => {
    const earlier = await claimIdempotencyKey<ComplaintReceipt>(
      ctx,
      tx,
      "complaint",
      idempotencyKey,
      requestHash,
    );
    if (earlier) return earlier;

    const badges = refs.map((r) => r.badgeNumber).filter((b): b is string => Boolean(b));
    const named = badges.length
      ? await tx
          .select({ id: officers.id, badgeNumber: officers.badgeNumber })
          .from(officers)
          .where(anyOf(officers.badgeNumber, badges))
      : [];
    const officerIdByBadge = new Map(named.map((o) => [o.badgeNumber, o.id]));
    refs.forEach((ref, i) => {
      if (ref.badgeNumber && !officerIdByBadge.has(ref.badgeNumber))
        throw badInput(`input.officers.${i}.badgeNumber`, "no officer has this badge number");
    });
    const incidentDay = todayIn(ctx.config.timeZone, input.incidentAt);
    const unitAt = new Map(
      (await unitIdsOn(tx, [...officerIdByBadge.values()], incidentDay)).map((r) => [
        r.officerId,
        r.unitId,
      ]),
    );

    let unitId: string;
    if (input.unitCode) {
      const [unit] = await tx.select().from(units).where(eq(units.code, input.unitCode));
      if (!unit || unit.kind === "MINISTRY")
        throw badInput("input.unitCode", "unitCode must be a region or district");
      unitId = unit.id;
    } else {
      const first = badges.length ? unitAt.get(officerIdByBadge.get(badges[0])!) : undefined;
      unitId =
        first ?? (await tx.select({ id: units.id }).from(units).where(eq(units.code, "MVD")))[0].id;
    }

    const { trackingNumber, registeredAt } = await registerNumber(tx, "SNM", ctx.config.timeZone);
    const dueAt = responseDueAt(ctx, registeredAt, nonWorkingDays);
    const accessCode = newAccessCode();
    const language = input.language ?? "RU";
    const [complaint] = await tx
      .insert(complaints)
      .values({
        trackingNumber,
        channel: input.channel,
        language,
        incidentAt: input.incidentAt,
        incidentPlace: input.incidentPlace ?? null,
        unitId,
        narrativeSealed: ctx.keys.seal(input.narrative),
        anonymous: !input.complainant,
        complainantType: input.complainant?.type ?? null,
        complainantNameSealed: ctx.keys.seal(input.complainant?.fullName),
        complainantEmailSealed: ctx.keys.seal(input.complainant?.email),
        complainantPhoneSealed: ctx.keys.seal(input.complainant?.phone),
        accessCodeHash: hashAccessCode(accessCode),
        registeredAt,
        responseDueAt: dueAt,
        registeredBy: ctx.principal?.id ?? null,
      })
      .returning({ id: complaints.id });

    // Every named officer (or one unknown officer) for every category.
    const subjects = refs.length ? refs : [{ badgeNumber: null, description: null }];
    const rows = subjects.flatMap((ref) =>
      input.categories.map((category) => {
        const officerId = ref.badgeNumber ? officerIdByBadge.get(ref.badgeNumber)! : null;
        return {
          complaintId: complaint.id,
          category,
          description: ref.description ?? null,
          officerId,
          unitAtIncidentId: officerId ? (unitAt.get(officerId) ?? null) : null,
        };
      }),
    );
    await tx.insert(allegations).values(rows);
    await tx.insert(complaintEvents).values({
      complaintId: complaint.id,
      at: registeredAt,
      kind: "REGISTERED",
      actorId: ctx.principal?.id ?? null,
      publicMessage: publicMessages.registered(language, trackingNumber, dueAt),
    });
    const receipt: ComplaintReceipt = {
      trackingNumber,
      accessCode,
      registeredAt,
      responseDueAt: dueAt,
    };
    await recordIdempotentResult(ctx, tx, "complaint", idempotencyKey, complaint.id, receipt);
    audit({ action: "submitComplaint", entity: "Complaint", entityId: complaint.id });
    return receipt;
  });
}

/** The complaint a tracking number and access code open; a wrong pair is indistinguishable from an unknown number. */
export async function complaintByAccess(
  db: Queryable,
  trackingNumber: string,
  accessCode: string,
): Promise<ComplaintRow> {
  const [complaint] = await db
    .select()
    .from(complaints)
    .where(eq(complaints.trackingNumber, trackingNumber.trim().toUpperCase()));
  const expected = Buffer.from(complaint?.accessCodeHash ?? "0".repeat(64), "hex");
  const given = Buffer.from(hashAccessCode(accessCode), "hex");
  if (!complaint || !timingSafeEqual(expected, given)) throw notFound("Complaint");
  return complaint;
}

export function deadlineInForce(c: Pick<ComplaintRow, "responseDueAt" | "extendedTo">): Date {
  return c.extendedTo ?? c.responseDueAt;
}

export async function complaintStatus(
  ctx: Context,
  trackingNumber: string,
  accessCode: string,
): Promise<ComplaintStatusView> {
  const complaint = await complaintByAccess(ctx.db, trackingNumber, accessCode);
  const [updates, outcomes] = await Promise.all([
    ctx.db
      .select({ at: complaintEvents.at, message: complaintEvents.publicMessage })
      .from(complaintEvents)
      .where(
        and(
          eq(complaintEvents.complaintId, complaint.id),
          isNotNull(complaintEvents.publicMessage),
        ),
      )
      // Entries written by one change share their time; they were inserted in the order they are meant to be read.
      .orderBy(asc(complaintEvents.at), sql`ctid`),
    ctx.db
      .select({ finding: allegations.finding, closureReason: allegations.closureReason })
      .from(allegations)
      .where(eq(allegations.complaintId, complaint.id)),
  ]);
  return {
    trackingNumber: complaint.trackingNumber,
    status: complaint.status as ComplaintStatusView["status"],
    registeredAt: complaint.registeredAt,
    responseDueAt: deadlineInForce(complaint),
    closedAt: complaint.closedAt,
    outcome: complaint.status === "CLOSED" ? outcomeOf(outcomes) : null,
    updates: updates.map((u) => ({ at: u.at, message: u.message! })),
  };
}

export function outcomeOf(
  rows: { finding: string | null; closureReason: string | null }[],
): ComplaintOutcome {
  if (rows.some((r) => r.finding === "SUSTAINED" || r.finding === "POLICY_FAILURE"))
    return ComplaintOutcome.UPHELD;
  if (rows.some((r) => r.finding)) return ComplaintOutcome.NOT_UPHELD;
  return ComplaintOutcome.CLOSED_WITHOUT_FINDING;
}

/** One rating per complaint, after it is closed. */
export async function submitComplaintFeedback(ctx: Context, input: SubmitComplaintFeedbackInput) {
  return inTransaction(ctx, async (tx, audit) => {
    const complaint = await complaintByAccess(tx, input.trackingNumber, input.accessCode);
    const [locked] = await tx
      .select()
      .from(complaints)
      .where(eq(complaints.id, complaint.id))
      .for("update");
    if (locked.status !== "CLOSED")
      throw invalidState("Feedback can be given once the complaint is closed");
    if (locked.feedbackAt) throw invalidState("Feedback was already given for this complaint");
    const at = new Date();
    await tx
      .update(complaints)
      .set({
        feedbackRating: input.rating,
        feedbackCommentSealed: ctx.keys.seal(input.comment ?? null),
        feedbackAt: at,
      })
      .where(eq(complaints.id, complaint.id));
    await tx
      .insert(complaintEvents)
      .values({ complaintId: complaint.id, at, kind: "FEEDBACK_RECEIVED", actorId: null });
    audit({ action: "submitComplaintFeedback", entity: "Complaint", entityId: complaint.id });
    return { accepted: true };
  });
}
