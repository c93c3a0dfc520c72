import { randomUUID, timingSafeEqual } from "node:crypto";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { anyOf, type Queryable } from "../../db/client";
import {
  allegations,
  complaintEvents,
  complaints,
  officers,
  units,
  type ComplaintRow,
} from "../../db/schema";
import { badInput, invalidState, notFound } from "../../errors";
import { newRecordKey } from "../../crypto/data-keys";
import { requirePastEvent } from "../../common/validation";
import { todayIn } from "../../common/clock";
import { unitIdsOn } from "../officer/officer.service";
import {
  claimIdempotencyKey,
  idempotencyClaim,
  recordIdempotentResult,
} from "../intake/idempotency.service";
import { registerNumber } from "../intake/tracking-number.service";
import { requireOwnChannel } from "../intake/channel.service";
import { hashAccessCode, newAccessCode } from "../intake/access-code.service";
import { deadlineInForce, holidays, responseDueAt } from "./deadline.service";
import { publicMessages } from "./complaint.messages";
import type { SubmitComplaintFeedbackInput, SubmitComplaintInput } from "./complaint.input";
import {
  ComplaintOutcome,
  type ComplaintReceipt,
  type ComplaintStatusView,
} from "./complaint.type";

/**
 * Registers a complaint from a form, or from staff (walk-ins and calls) or an INTAKE channel, who are then
 * recorded as `registeredBy`.
 */
export async function submitComplaint(
  ctx: Context,
  input: SubmitComplaintInput,
): Promise<ComplaintReceipt> {
  requireOwnChannel(ctx, input.channel);
  requirePastEvent("incidentAt", input.incidentAt, ctx.now);
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
  const claim = idempotencyClaim(input);
  // Read before the transaction: on PGlite a statement outside an open transaction waits for it to end.
  const nonWorkingDays = await holidays(ctx.db);
  return inTransaction(ctx, async (tx, audit) => {
    const earlier = await claimIdempotencyKey<ComplaintReceipt>(ctx, tx, "complaint", claim);
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

    const { trackingNumber, registeredAt } = await registerNumber(ctx, tx, "SNM");
    const dueAt = responseDueAt(ctx, registeredAt, nonWorkingDays);
    const accessCode = newAccessCode();
    const language = input.language ?? "RU";
    // Ids made here: every sealed value is bound to its row, so the row's id comes first.
    const id = randomUUID();
    const { key, wrapped } = newRecordKey(ctx.keys, "complaints", id);
    const seal = key.sealerFor("complaints", id);
    const [complaint] = await tx
      .insert(complaints)
      .values({
        id,
        dataKey: wrapped,
        trackingNumber,
        channel: input.channel,
        language,
        incidentAt: input.incidentAt,
        incidentPlaceSealed: seal("incident_place", input.incidentPlace),
        unitId,
        narrativeSealed: seal("narrative_sealed", input.narrative),
        anonymous: !input.complainant,
        complainantType: input.complainant?.type ?? null,
        complainantNameSealed: seal("complainant_name_sealed", input.complainant?.fullName),
        complainantEmailSealed: seal("complainant_email_sealed", input.complainant?.email),
        complainantPhoneSealed: seal("complainant_phone_sealed", input.complainant?.phone),
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
        const allegationId = randomUUID();
        return {
          id: allegationId,
          complaintId: complaint.id,
          complaintRegisteredAt: registeredAt,
          category,
          descriptionSealed: key.seal("allegations", "description", allegationId, ref.description),
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
    await recordIdempotentResult(ctx, tx, "complaint", claim.key, complaint.id, receipt);
    audit({ action: "submitComplaint", entity: "Complaint", entityId: complaint.id, input });
    return receipt;
  });
}

/** The complaint a tracking number and access code open; a wrong pair is indistinguishable from an unknown number. */
async function complaintByAccess(
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
    status: complaint.status,
    registeredAt: complaint.registeredAt,
    responseDueAt: deadlineInForce(complaint),
    closedAt: complaint.closedAt,
    outcome: complaint.status === "CLOSED" ? outcomeOf(outcomes) : null,
    updates: updates.map((u) => ({ at: u.at, message: u.message! })),
  };
}

function outcomeOf(
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
    const key = ctx.recordKeys.of("complaints", locked);
    if (locked.status !== "CLOSED")
      throw invalidState("Feedback can be given once the complaint is closed");
    if (locked.feedbackAt) throw invalidState("Feedback was already given for this complaint");
    const at = ctx.now;
    await tx
      .update(complaints)
      .set({
        feedbackRating: input.rating,
        feedbackCommentSealed: key.seal(
          "complaints",
          "feedback_comment_sealed",
          locked.id,
          input.comment,
        ),
        feedbackAt: at,
      })
      .where(eq(complaints.id, complaint.id));
    await tx
      .insert(complaintEvents)
      .values({ complaintId: complaint.id, at, kind: "FEEDBACK_RECEIVED", actorId: null });
    audit({
      action: "submitComplaintFeedback",
      entity: "Complaint",
      entityId: complaint.id,
      input,
    });
    return { accepted: true };
  });
}
