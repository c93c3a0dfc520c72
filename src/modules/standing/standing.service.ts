import DataLoader from "dataloader";
import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { rows, type Db } from "../../db/client";
import { earlyWarningRules, units } from "../../db/schema";
import { badInput } from "../../errors";
import { groupByKey } from "../../common/loader";
import { cursorString, readPage, toConnection, type PageArgs } from "../../common/pagination";
import { findOfficer, servingInSubtree } from "../officer/officer.service";
import { inForce, inWindow, standingCase } from "./standing.sql";
import type { OfficerStanding, Standing } from "./standing.type";
import type { SetEarlyWarningRuleInput } from "./standing.input";

const YEAR_DAYS = 365;

/**
 * Everything an officer's standing rests on, for a batch of officers in six statements whatever the batch
 * size: the standing itself, sanctions in force, open investigations, sustained allegations and
 * commendations in the last year, and the early-warning rules that fire.
 */
export const createStandingLoaders = (db: Db, today: string) => {
  const now = new Date();
  return {
    standingByOfficerId: new DataLoader<string, OfficerStanding>(async (ids) => {
      const list = sql`array[${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)}]`;
      const yearAgo = new Date(now.getTime() - YEAR_DAYS * 86_400_000);
      const [standings, sanctions, open, sustained, thanked, warnings] = await Promise.all([
        rows<{ id: string; standing: Standing }>(db, sql`select o.id, ${standingCase(today, now)} as standing from officers o where o.id = any(${list})`),
        rows<{ officer_id: string; penalty: string; effective_from: string; effective_until: string | null; decided_at: string }>(
          db,
          sql`select r.officer_id, r.penalty, r.effective_from::text, r.effective_until::text, r.decided_at from disciplinary_reviews r
              where r.officer_id = any(${list}) and ${inForce(sql`r`, today)} order by r.effective_from`,
        ),
        rows<{ officer_id: string; n: number }>(
          db,
          sql`select a.officer_id, count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id
              where a.officer_id = any(${list}) and c.status <> 'CLOSED' group by a.officer_id`,
        ),
        rows<{ officer_id: string; n: number }>(
          db,
          sql`select a.officer_id, count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id
              where a.officer_id = any(${list}) and a.finding = 'SUSTAINED' and c.registered_at > ${yearAgo.toISOString()}::timestamptz group by a.officer_id`,
        ),
        rows<{ officer_id: string; n: number }>(
          db,
          sql`select officer_id, count(*)::int as n from commendations
              where officer_id = any(${list}) and status = 'VERIFIED' and occurred_at > ${yearAgo.toISOString()}::timestamptz group by officer_id`,
        ),
        rows<{ officer_id: string; rule: string; n: number; threshold: number; window_days: number }>(
          db,
          sql`select a.officer_id, w.code as rule, count(*)::int as n, w.threshold, w.window_days
              from allegations a join complaints c on c.id = a.complaint_id join early_warning_rules w on w.active and ${inWindow(sql`w`, sql`a`, sql`c`, now)}
              where a.officer_id = any(${list}) group by a.officer_id, w.code, w.threshold, w.window_days
              having count(*) >= w.threshold order by w.code`,
        ),
      ]);
      const count = (list: { officer_id: string; n: number }[]) => new Map(list.map((r) => [r.officer_id, r.n]));
      const [openBy, sustainedBy, thankedBy] = [count(open), count(sustained), count(thanked)];
      const standingBy = new Map(standings.map((s) => [s.id, s.standing]));
      const sanctionsBy = groupByKey(ids, sanctions, (s) => s.officer_id);
      const warningsBy = groupByKey(ids, warnings, (w) => w.officer_id);
      return ids.map((id, i) => ({
        officerId: id,
        asOf: now,
        standing: standingBy.get(id) ?? ("GOOD" as Standing),
        activeSanctions: sanctionsBy[i].map((s) => ({
          penalty: s.penalty,
          effectiveFrom: s.effective_from,
          effectiveUntil: s.effective_until,
          decidedAt: new Date(s.decided_at),
        })),
        openInvestigations: openBy.get(id) ?? 0,
        sustainedAllegations12m: sustainedBy.get(id) ?? 0,
        commendations12m: thankedBy.get(id) ?? 0,
        earlyWarnings: warningsBy[i].map((w) => ({ rule: w.rule, count: w.n, threshold: w.threshold, windowDays: w.window_days })),
      }));
    }),
  };
};

export async function officerStanding(ctx: Context, badgeNumber: string): Promise<OfficerStanding> {
  const officer = await findOfficer(ctx, badgeNumber);
  return ctx.loaders.standingByOfficerId.load(officer.id);
}

/**
 * Standings of everyone serving in a unit's subtree today, by badge number, optionally only one standing.
 * The standing is computed in SQL for the whole subtree, so filtering and paging stay exact.
 */
export async function officerStandings(ctx: Context, unitCode: string | null | undefined, standing: Standing | null | undefined, args: PageArgs) {
  const page = readPage(args);
  const [unit] = await ctx.db.select().from(units).where(eq(units.code, unitCode ?? "MVD"));
  if (!unit) throw badInput("unitCode", "no unit has this code");
  const after = cursorString(page);
  const now = new Date();
  const scoped: SQL = sql`select o.id, o.badge_number, ${standingCase(ctx.today, now)} as standing
    from officers o where ${servingInSubtree(unit.path, ctx.today, sql`o.id`)}`;
  const matching = sql`(${scoped}) s where (${standing ?? null}::text is null or s.standing = ${standing ?? null})`;
  const pageRows = await rows<{ id: string; badge_number: string }>(
    ctx.db,
    sql`select s.id, s.badge_number from ${matching} ${after === null ? sql`` : sql`and s.badge_number > ${after}`} order by s.badge_number limit ${page.limit}`,
  );
  const details = await ctx.loaders.standingByOfficerId.loadMany(pageRows.slice(0, page.first).map((r) => r.id));
  const byId = new Map(details.filter((d): d is OfficerStanding => !(d instanceof Error)).map((d) => [d.officerId, d]));
  return toConnection(
    pageRows,
    page,
    (r) => [r.badge_number],
    async () => (await rows<{ n: number }>(ctx.db, sql`select count(*)::int as n from ${matching}`))[0].n,
    (r) => byId.get(r.id)!,
  );
}

export const listEarlyWarningRules = (ctx: Context) => ctx.db.select().from(earlyWarningRules).orderBy(asc(earlyWarningRules.code));

/** Creates or replaces a rule; it applies from the next request on. */
export async function setEarlyWarningRule(ctx: Context, input: SetEarlyWarningRuleInput) {
  return inTransaction(ctx, async (tx, audit) => {
    const values = { code: input.code, categories: input.categories, windowDays: input.windowDays, threshold: input.threshold, active: input.active ?? true };
    const [rule] = await tx
      .insert(earlyWarningRules)
      .values(values)
      .onConflictDoUpdate({ target: earlyWarningRules.code, set: values })
      .returning();
    audit({ action: "setEarlyWarningRule", entity: "EarlyWarningRule", entityId: rule.code });
    return rule;
  });
}

