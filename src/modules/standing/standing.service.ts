import DataLoader from "dataloader";
import { asc, sql, type SQL } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { arrayParam, list, prepared, preparedRows, rows, type Db } from "../../db/client";
import { earlyWarningRules } from "../../db/schema";
import { badInput } from "../../errors";
import { groupByKey } from "../../common/loader";
import { cursorString, readPage, toConnection, type PageArgs } from "../../common/pagination";
import { findOfficer, servingInSubtree } from "../officer/officer.service";
import { inForce, inWindow, standingCase } from "./standing.sql";
import type { EarlyWarning, OfficerStanding, Sanction, Standing } from "./standing.type";
import type { SetEarlyWarningRuleInput } from "./standing.input";

const YEAR_DAYS = 365;

const [OFFICERS, TODAY, NOW, YEAR_AGO] = ["officers", "today", "now", "yearAgo"].map((name) => sql.placeholder(name));
/** The values every part of one request's standings is computed with; `now` also as the instant itself. */
type AsOf = { today: string; now: string; yearAgo: string };

/** One statement per batch of officers (`OFFICERS`), rendered once, its rows grouped back to the officers. */
const perOfficer = <Row extends { officer_id: string }, T>(query: SQL, shape: (rows: Row[], officerId: string, now: Date) => T) => {
  const statement = prepared((db) => preparedRows<Row, AsOf & { officers: string }>(db, query));
  return (db: Db, asOf: AsOf, now: Date) =>
    new DataLoader<string, T>(async (keys) => {
      const byOfficer = groupByKey(keys, await statement(db, { ...asOf, officers: list(keys) }), (r) => r.officer_id);
      return byOfficer.map((found, i) => shape(found, keys[i], now));
    });
};
const count = (rows: { n: number }[]) => rows[0]?.n ?? 0;

const standings = perOfficer<{ officer_id: string; standing: Standing }, OfficerStanding>(
  sql`select o.id as officer_id, ${standingCase(TODAY, NOW)} as standing from officers o where o.id = any(${arrayParam(OFFICERS)})`,
  ([row], officerId, now) => ({ officerId, asOf: now, standing: row?.standing ?? "GOOD" }),
);
const sanctions = perOfficer<{ officer_id: string; penalty: string; effective_from: string; effective_until: string | null; decided_at: string }, Sanction[]>(
  sql`select r.officer_id, r.penalty, r.effective_from::text, r.effective_until::text, r.decided_at from disciplinary_reviews r
      where r.officer_id = any(${arrayParam(OFFICERS)}) and ${inForce(sql`r`, TODAY)} order by r.effective_from`,
  (found) => found.map((s) => ({ penalty: s.penalty, effectiveFrom: s.effective_from, effectiveUntil: s.effective_until, decidedAt: new Date(s.decided_at) })),
);
const openInvestigations = perOfficer<{ officer_id: string; n: number }, number>(
  sql`select a.officer_id, count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id
      where a.officer_id = any(${arrayParam(OFFICERS)}) and c.status <> 'CLOSED' group by a.officer_id`,
  count,
);
const sustainedAllegations12m = perOfficer<{ officer_id: string; n: number }, number>(
  sql`select a.officer_id, count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id
      where a.officer_id = any(${arrayParam(OFFICERS)}) and a.finding = 'SUSTAINED' and c.registered_at > ${YEAR_AGO}::timestamptz group by a.officer_id`,
  count,
);
const commendations12m = perOfficer<{ officer_id: string; n: number }, number>(
  sql`select officer_id, count(*)::int as n from commendations
      where officer_id = any(${arrayParam(OFFICERS)}) and status = 'VERIFIED' and occurred_at > ${YEAR_AGO}::timestamptz group by officer_id`,
  count,
);
const earlyWarnings = perOfficer<{ officer_id: string; rule: string; n: number; threshold: number; window_days: number }, EarlyWarning[]>(
  sql`select a.officer_id, w.code as rule, count(*)::int as n, w.threshold, w.window_days
      from allegations a join complaints c on c.id = a.complaint_id join early_warning_rules w on w.active and ${inWindow(sql`w`, sql`a`, sql`c`, NOW)}
      where a.officer_id = any(${arrayParam(OFFICERS)}) group by a.officer_id, w.code, w.threshold, w.window_days
      having count(*) >= w.threshold order by w.code`,
  (found) => found.map((w) => ({ rule: w.rule, count: w.n, threshold: w.threshold, windowDays: w.window_days })),
);

/**
 * An officer's standing, and each thing it rests on, as separate loaders: a request pays only for the
 * parts it selects (a roster asks for the standing alone), and each part costs one statement for a whole
 * batch of officers. `now` is shared, so every part of one response is computed at the same instant.
 */
export const createStandingLoaders = (db: Db, today: string) => {
  const now = new Date();
  const asOf = { today, now: now.toISOString(), yearAgo: new Date(now.getTime() - YEAR_DAYS * 86_400_000).toISOString() };
  return {
    /** The instant every standing in this request is computed at. */
    standingAsOf: now,
    standingByOfficerId: standings(db, asOf, now),
    sanctionsByOfficerId: sanctions(db, asOf, now),
    openInvestigationsByOfficerId: openInvestigations(db, asOf, now),
    sustainedAllegations12mByOfficerId: sustainedAllegations12m(db, asOf, now),
    commendations12mByOfficerId: commendations12m(db, asOf, now),
    earlyWarningsByOfficerId: earlyWarnings(db, asOf, now),
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
  const unit = await ctx.loaders.unitByCode.load(unitCode ?? "MVD");
  if (!unit) throw badInput("unitCode", "no unit has this code");
  const after = cursorString(page);
  const now = ctx.loaders.standingAsOf;
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
    async () => (await rows<{ n: number }>(ctx.db, sql`select count(*)::int as n from ${shown}`))[0].n,
    (r) => {
      if (!r.standing) return ctx.loaders.standingByOfficerId.load(r.id);
      const node: OfficerStanding = { officerId: r.id, asOf: now, standing: r.standing };
      ctx.loaders.standingByOfficerId.prime(r.id, node);
      return node;
    },
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

