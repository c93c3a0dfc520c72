import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { Context } from "../../context";
import { newRecordKey } from "../../crypto/data-keys";
import { inTransaction } from "../../context";
import { commendations, officers, type CommendationRow } from "../../db/schema";
import { badInput, invalidState, notFound } from "../../errors";
import { isUuid } from "../../common/ids";
import { cursorTimeAndId, readPage, toConnection, type PageArgs } from "../../common/pagination";
import { officerOnDay } from "../officer/officer.service";
import { inUnitSubtree } from "../unit/unit.sql";
import { requirePastEvent } from "../../common/validation";
import {
  claimIdempotencyKey,
  idempotencyClaim,
  recordIdempotentResult,
} from "../intake/idempotency.service";
import { registerNumber } from "../intake/tracking-number.service";
import { requireOwnChannel } from "../intake/channel.service";
import type {
  CommendationFilter,
  RecordCommendationInput,
  ReviewCommendationInput,
  SubmitCommendationInput,
} from "./commendation.input";
import type { CommendationReceipt } from "./commendation.type";

/** A new commendation's id and data key, and the seal of its columns (bound to that id). */
function sealingFor(ctx: Context) {
  const id = randomUUID();
  const { key, wrapped } = newRecordKey(ctx.keys, "commendations", id);
  return { id, dataKey: wrapped, seal: key.sealerFor("commendations", id) };
}

/** A citizen's thanks: idempotent like complaints, SUBMITTED until a supervisor verifies it. */
export async function submitCommendation(
  ctx: Context,
  input: SubmitCommendationInput,
): Promise<CommendationReceipt> {
  requireOwnChannel(ctx, input.channel);
  requirePastEvent("occurredAt", input.occurredAt, ctx.now);
  if (!input.officer.badgeNumber === !input.officer.description) {
    throw badInput("input.officer", "give either badgeNumber or description for the officer");
  }
  const claim = idempotencyClaim(input);
  return inTransaction(ctx, async (tx, audit) => {
    const earlier = await claimIdempotencyKey<CommendationReceipt>(ctx, tx, "commendation", claim);
    if (earlier) return earlier;
    const officer = input.officer.badgeNumber
      ? await officerOnDay(
          ctx,
          tx,
          input.officer.badgeNumber,
          "input.officer.badgeNumber",
          input.occurredAt,
        )
      : { officerId: null, unitId: null };
    const { trackingNumber, registeredAt } = await registerNumber(ctx, tx, "CMD");
    const { id, dataKey, seal } = sealingFor(ctx);
    const [row] = await tx
      .insert(commendations)
      .values({
        id,
        dataKey,
        trackingNumber,
        type: "CITIZEN_COMPLIMENT",
        ...officer,
        officerDescriptionSealed: seal("officer_description", input.officer.description),
        channel: input.channel,
        occurredAt: input.occurredAt,
        narrativeSealed: seal("narrative_sealed", input.narrative),
        submitterNameSealed: seal("submitter_name_sealed", input.submitter?.fullName),
        submitterEmailSealed: seal("submitter_email_sealed", input.submitter?.email),
        submitterPhoneSealed: seal("submitter_phone_sealed", input.submitter?.phone),
        registeredAt,
        recordedBy: ctx.principal?.id ?? null,
      })
      .returning({ id: commendations.id });
    const receipt = { trackingNumber, registeredAt };
    await recordIdempotentResult(ctx, tx, "commendation", claim.key, row.id, receipt);
    audit({ action: "submitCommendation", entity: "Commendation", entityId: row.id, input });
    return receipt;
  });
}

/** A supervisor's own commendation or award: verified on entry. */
export async function recordCommendation(
  ctx: Context,
  input: RecordCommendationInput,
): Promise<CommendationRow> {
  requirePastEvent("occurredAt", input.occurredAt, ctx.now);
  if (input.type === "CITIZEN_COMPLIMENT")
    throw badInput("input.type", "citizens' compliments come through submitCommendation");
  return inTransaction(ctx, async (tx, audit) => {
    const officer = await officerOnDay(
      ctx,
      tx,
      input.officerBadge,
      "input.officerBadge",
      input.occurredAt,
    );
    const { trackingNumber, registeredAt: now } = await registerNumber(ctx, tx, "CMD");
    const { id, dataKey, seal } = sealingFor(ctx);
    const [row] = await tx
      .insert(commendations)
      .values({
        id,
        dataKey,
        trackingNumber,
        type: input.type,
        status: "VERIFIED",
        ...officer,
        occurredAt: input.occurredAt,
        narrativeSealed: seal("narrative_sealed", input.narrative),
        registeredAt: now,
        recordedBy: ctx.principal!.id,
        reviewedBy: ctx.principal!.id,
        reviewedAt: now,
      })
      .returning();
    audit({ action: "recordCommendation", entity: "Commendation", entityId: row.id, input });
    return row;
  });
}

/** SUBMITTED becomes VERIFIED or REJECTED, once; verifying needs an identified officer. */
async function review(
  ctx: Context,
  input: ReviewCommendationInput,
  status: "VERIFIED" | "REJECTED",
) {
  if (!isUuid(input.commendationId)) throw notFound("Commendation");
  const action = status === "VERIFIED" ? "verifyCommendation" : "rejectCommendation";
  return inTransaction(ctx, async (tx, audit) => {
    const [row] = await tx
      .select()
      .from(commendations)
      .where(eq(commendations.id, input.commendationId))
      .for("update");
    if (!row) throw notFound("Commendation");
    if (row.status !== "SUBMITTED") throw invalidState(`The commendation is already ${row.status}`);
    let officer = { officerId: row.officerId, unitId: row.unitId };
    if (input.officerBadge)
      officer = await officerOnDay(
        ctx,
        tx,
        input.officerBadge,
        "input.officerBadge",
        row.occurredAt,
      );
    if (status === "VERIFIED" && !officer.officerId) {
      throw badInput("input.officerBadge", "identify the officer (officerBadge) before verifying");
    }
    const [updated] = await tx
      .update(commendations)
      .set({
        status,
        ...officer,
        reviewedBy: ctx.principal!.id,
        reviewedAt: ctx.now,
        reviewNoteSealed: ctx.recordKeys
          .of("commendations", row)
          .seal("commendations", "review_note", row.id, input.note),
      })
      .where(eq(commendations.id, row.id))
      .returning();
    audit({ action, entity: "Commendation", entityId: row.id, input });
    return updated;
  });
}

export const verifyCommendation = (ctx: Context, input: ReviewCommendationInput) =>
  review(ctx, input, "VERIFIED");
export const rejectCommendation = (ctx: Context, input: ReviewCommendationInput) =>
  review(ctx, input, "REJECTED");

/** Newest first: the review queue works from the latest submissions back. */
export async function listCommendations(
  ctx: Context,
  filter: CommendationFilter | null | undefined,
  args: PageArgs,
) {
  const page = readPage(args);
  const conditions: (SQL | undefined)[] = [];
  if (filter?.status) conditions.push(eq(commendations.status, filter.status));
  if (filter?.type) conditions.push(eq(commendations.type, filter.type));
  if (filter?.unitCode) {
    const unit = await ctx.loaders.unitByCode.load(filter.unitCode);
    if (!unit) throw badInput("filter.unitCode", "no unit has this code");
    conditions.push(inUnitSubtree(commendations.unitId, unit.path));
  }
  if (filter?.officerBadge) {
    conditions.push(
      sql`${commendations.officerId} = (select id from ${officers} where badge_number = ${filter.officerBadge})`,
    );
  }
  const where = and(...conditions);
  const cursor = cursorTimeAndId(page);
  const after = cursor
    ? or(
        lt(commendations.registeredAt, new Date(cursor.at)),
        and(eq(commendations.registeredAt, new Date(cursor.at)), lt(commendations.id, cursor.id)),
      )
    : undefined;
  const rows = await ctx.db
    .select()
    .from(commendations)
    .where(and(where, after))
    .orderBy(desc(commendations.registeredAt), desc(commendations.id))
    .limit(page.limit);
  return toConnection(
    rows,
    page,
    (r) => [r.registeredAt.toISOString(), r.id],
    async () => {
      const [{ n }] = await ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(commendations)
        .where(where);
      return n;
    },
  );
}
