import { asc, sql, type SQL } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { rows } from "../../db/client";
import { partLoader, type OfficerPart, type OfficerPartsLoader } from "../officer/officer.parts";
import { earlyWarningRules } from "../../db/schema";
import { badInput } from "../../errors";
import { cursorString, readPage, toConnection, type PageArgs } from "../../common/pagination";
import { countServingInSubtree, findOfficer, servingInSubtree } from "../officer/officer.service";
import { inForce, inWindow, standingCase } from "./standing.sql";
import { Standing, type EarlyWarning, type OfficerStanding, type Sanction } from "./standing.type";
import type { SetEarlyWarningRuleInput } from "./standing.input";

const YEAR_DAYS = 365;

const [TODAY, NOW, YEAR_AGO] = ["today", "now", "yearAgo"].map((name) => sql.placeholder(name));

/** The values the standing's parts are computed with: one request's instant. */
export const standingValues = (now: Date, today: string) => ({
  today,
  now: now.toISOString(),
  yearAgo: new Date(now.getTime() - YEAR_DAYS * 86_400_000).toISOString(),
});

/**
 * The parts of a standing, each one expression over officer `o`: whichever parts a request selects join the
 * officer statement of its tick (officer.parts.ts), for a whole batch of officers (the HR OfficerStanding asks
 * for six: one statement, not six).
 */
const part = (name: string, expression: SQL): OfficerPart => ({
  id: `standing:${name}`,
  sql: expression,
});
const PARTS = {
  standing: part("standing", standingCase(TODAY, NOW)),
  sanctions: part(
    "sanctions",
    sql`(select coalesce(json_agg(json_build_object('penalty', r.penalty, 'effectiveFrom', r.effective_from::text,
      'effectiveUntil', r.effective_until::text, 'decidedAt', r.decided_at) order by r.effective_from), '[]')
    from disciplinary_reviews r where r.officer_id = o.id and ${inForce(sql`r`, TODAY)})`,
  ),
  openInvestigations: part(
    "openInvestigations",
    sql`(select count(*)::int from allegations a join complaints c on c.id = a.complaint_id
    where a.officer_id = o.id and c.status <> 'CLOSED')`,
  ),
  sustainedAllegations12m: part(
    "sustainedAllegations12m",
    sql`(select count(*)::int from allegations a
    where a.officer_id = o.id and a.finding = 'SUSTAINED' and a.complaint_registered_at > ${YEAR_AGO}::timestamptz)`,
  ),
  commendations12m: part(
    "commendations12m",
    sql`(select count(*)::int from commendations k
    where k.officer_id = o.id and k.status = 'VERIFIED' and k.occurred_at > ${YEAR_AGO}::timestamptz)`,
  ),
  earlyWarnings: part(
    "earlyWarnings",
    sql`(select coalesce(json_agg(json_build_object('rule', w.code, 'count', x.n, 'threshold', w.threshold,
      'windowDays', w.window_days) order by w.code), '[]')
    from early_warning_rules w cross join lateral (select count(*)::int as n from allegations a
      where a.officer_id = o.id and ${inWindow(sql`w`, sql`a`, NOW)}) x
    where w.active and x.n >= w.threshold)`,
  ),
};

/**
 * An officer's standing, and each thing it rests on, as separate loaders: a request pays only for the
 * parts it selects (a roster asks for the standing alone), and all the parts selected cost one statement for
 * a whole batch of officers. `now` is the request's (ctx.now), so every part of one response is computed at one instant.
 */
export const createStandingLoaders = (parts: () => OfficerPartsLoader, now: Date) => {
  const count = (value: unknown) => Number(value ?? 0);
  const standingByOfficerId = partLoader<OfficerStanding>(
    parts,
    PARTS.standing,
    (value, officerId) => ({
      officerId,
      asOf: now,
      standing: (value as Standing | null) ?? Standing.GOOD,
    }),
  );
  /** The part loader behind each OfficerStanding field. */
  const byField = {
    activeSanctions: partLoader<Sanction[]>(parts, PARTS.sanctions, (value) =>
      ((value ?? []) as (Omit<Sanction, "decidedAt"> & { decidedAt: string })[]).map((s) => ({
        ...s,
        decidedAt: new Date(s.decidedAt),
      })),
    ),
    openInvestigations: partLoader(parts, PARTS.openInvestigations, count),
    sustainedAllegations12m: partLoader(parts, PARTS.sustainedAllegations12m, count),
    commendations12m: partLoader(parts, PARTS.commendations12m, count),
    earlyWarnings: partLoader(
      parts,
      PARTS.earlyWarnings,
      (value) => (value ?? []) as EarlyWarning[],
    ),
  };
  return {
    standingByOfficerId,
    sanctionsByOfficerId: byField.activeSanctions,
    openInvestigationsByOfficerId: byField.openInvestigations,
    sustainedAllegations12mByOfficerId: byField.sustainedAllegations12m,
    commendations12mByOfficerId: byField.commendations12m,
    earlyWarningsByOfficerId: byField.earlyWarnings,
    /**
     * The standing, with the parts among `fields` (the OfficerStanding fields selected) asked for in the same
     * tick, so that they share its statement instead of waiting for it and sending their own. A failed part
     * fails its own field when that field reads it.
     */
    standingWith(officerId: string, fields: ReadonlySet<string>) {
      for (const [field, loader] of Object.entries(byField))
        if (fields.has(field)) loader.load(officerId).catch(() => {});
      return standingByOfficerId.load(officerId);
    },
  };
};

/**
 * The standing of the officer with this badge number, with the parts among `fields`. When the client also
 * wants the officer's unit, the officer's assignments are asked for now, in the standing's statement, rather
 * than after the standing is answered.
 */
export async function officerStanding(
  ctx: Context,
  badgeNumber: string,
  fields: ReadonlySet<string>,
  withUnit = false,
): Promise<OfficerStanding> {
  const officer = await findOfficer(ctx, badgeNumber);
  // A failure is the unit field's own, when it reads them.
  if (withUnit) ctx.loaders.assignmentsByOfficerId.load(officer.id).catch(() => {});
  return ctx.loaders.standingWith(officer.id, fields);
}

/**
 * Standings of everyone serving in a unit's subtree today, by badge number, optionally only one standing.
 * The standing is computed in SQL for the whole subtree, so filtering and paging stay exact.
 */
export async function officerStandings(
  ctx: Context,
  unitCode: string | null | undefined,
  standing: Standing | null | undefined,
  args: PageArgs,
) {
  const page = readPage(args);
  const unit = await ctx.loaders.unitByCode.load(unitCode ?? "MVD");
  if (!unit) throw badInput("unitCode", "no unit has this code");
  const after = cursorString(page);
  const now = ctx.now;
  const serving = servingInSubtree(unit.path, ctx.today, sql`o.id`);
  // Filtered by standing, every officer's standing is computed to find the page; otherwise the page is
  // found by badge number alone, and only its officers' standings are computed (one batch, below).
  const shown = standing
    ? sql`(select o.id, o.badge_number, ${standingCase(ctx.today, now.toISOString())} as standing from officers o where ${serving}) o where o.standing = ${standing}`
    : sql`officers o where ${serving}`;
  const pageRows = await rows<{ id: string; badge_number: string; standing?: Standing }>(
    ctx.db,
    sql`select o.id, o.badge_number${standing ? sql`, o.standing` : sql``} from ${shown}
        ${after === null ? sql`` : sql`and o.badge_number > ${after}`} order by o.badge_number limit ${page.limit}`,
  );
  return toConnection(
    pageRows,
    page,
    (r) => [r.badge_number],
    async () =>
      standing
        ? (await rows<{ n: number }>(ctx.db, sql`select count(*)::int as n from ${shown}`))[0].n
        : countServingInSubtree(ctx, unit.path, ctx.today),
    (r) => {
      if (!r.standing) return ctx.loaders.standingByOfficerId.load(r.id);
      const node: OfficerStanding = { officerId: r.id, asOf: now, standing: r.standing };
      ctx.loaders.standingByOfficerId.prime(r.id, node);
      return node;
    },
  );
}

export const listEarlyWarningRules = (ctx: Context) =>
  ctx.db.select().from(earlyWarningRules).orderBy(asc(earlyWarningRules.code));

/** Creates or replaces a rule; it applies from the next request on. */
export async function setEarlyWarningRule(ctx: Context, input: SetEarlyWarningRuleInput) {
  return inTransaction(ctx, async (tx, audit) => {
    const values = {
      code: input.code,
      categories: input.categories,
      windowDays: input.windowDays,
      threshold: input.threshold,
      active: input.active ?? true,
    };
    const [rule] = await tx
      .insert(earlyWarningRules)
      .values(values)
      .onConflictDoUpdate({ target: earlyWarningRules.code, set: values })
      .returning();
    audit({
      action: "setEarlyWarningRule",
      entity: "EarlyWarningRule",
      entityId: rule.code,
      input,
    });
    return rule;
  });
}
