import { sql } from "drizzle-orm";
import { EXACT_METRICS_READERS } from "../../auth/policy";
import type { Context } from "../../context";
import { rows, type Queryable } from "../../db/client";
import type { UnitRow } from "../../db/schema";
import { CATEGORIES } from "../../db/schema";
import { badInput } from "../../errors";
import { addMonths } from "../../common/dates";
import { median, type PublishedYear } from "./publication.service";
import { MetricsInterval, type TrustMetrics } from "./metrics.type";

/** Small-cell suppression for everyone the policy does not list as an exact reader (DESIGN.md, Trust metrics). */
const suppressedFor = (ctx: Context) =>
  !ctx.principal || !EXACT_METRICS_READERS.includes(ctx.principal.role);
const MAX_YEARS = 10;
const MAX_POINTS = 120;

interface Period {
  from: string;
  to: string;
}

export async function trustMetrics(
  ctx: Context,
  unitCode: string,
  from: string,
  to: string,
): Promise<TrustMetrics> {
  checkPeriod(from, to);
  if (suppressedFor(ctx)) {
    checkPublicPeriod(from, to);
    checkPublicYears(ctx, from, to);
    const year = await publishedYear(ctx, from, unitCode);
    return year.figures(year.unitByCode(unitCode)!.id, from, to);
  }
  const unit = await unitFor(ctx, unitCode);
  const [figures] = await measure(ctx.db, [unit.id], [{ from, to }]);
  return exact(figures);
}

/** A year of public figures, the same one for the whole request (which matters when none is kept). */
function yearOf(ctx: Context, year: number, force = false): Promise<PublishedYear> {
  const seen = ctx.publishedYears.get(year);
  if (seen && !force) return seen;
  const built = ctx.publication.year(year, force);
  ctx.publishedYears.set(year, built);
  return built;
}

/** The public year holding `from`, built again if it does not know the unit (created since it was built). */
async function publishedYear(ctx: Context, from: string, unitCode: string) {
  const number = Number(from.slice(0, 4));
  const year = await yearOf(ctx, number);
  if (year.unitByCode(unitCode)) return year;
  await unitFor(ctx, unitCode);
  return yearOf(ctx, number, true);
}

/**
 * The same figures for each child unit, suppressed as their parent was. `wanted` names the fields the
 * query selects on the children: at national scale the categories and the days-to-close
 * histogram of 20 regions are most of a request's cost, and a map with a column of figures needs neither.
 */
export async function childMetrics(
  ctx: Context,
  parent: TrustMetrics,
  wanted: ReadonlySet<string>,
): Promise<TrustMetrics[]> {
  const asks = (field: string) => wanted.has(field);
  if (parent.suppress) {
    const year = await yearOf(ctx, Number(parent.from.slice(0, 4)));
    return Promise.all(
      year
        .children(parent.unitId)
        .map((c) => year.figures(c.id, parent.from, parent.to, asks("medianDaysToClose"))),
    );
  }
  const children = await ctx.loaders.unitChildren.load(parent.unitId);
  if (!children.length) return [];
  const figures = await measure(
    ctx.db,
    children.map((c) => c.id),
    [{ from: parent.from, to: parent.to }],
    { categories: asks("byCategory"), medians: asks("medianDaysToClose") },
  );
  return figures.map(exact);
}

export async function trustMetricsSeries(
  ctx: Context,
  unitCode: string,
  from: string,
  to: string,
  interval: MetricsInterval,
): Promise<TrustMetrics[]> {
  checkPeriod(from, to);
  const periods = seriesPeriods(from, to, interval);
  if (suppressedFor(ctx)) {
    // Public points are whole intervals: a clipped first or last point would be a period of any length.
    const [first, last] = [periods[0], periods[periods.length - 1]];
    if (addMonths(first.from, INTERVAL_MONTHS[interval]) !== first.to)
      throw badInput("from", PUBLIC_SERIES);
    if (addMonths(last.from, INTERVAL_MONTHS[interval]) !== last.to)
      throw badInput("to", PUBLIC_SERIES);
    checkPublicYears(ctx, from, to);
    const unitId = (await publishedYear(ctx, from, unitCode)).unitByCode(unitCode)!.id;
    return Promise.all(
      periods.map(async (p) =>
        (await yearOf(ctx, Number(p.from.slice(0, 4)))).figures(unitId, p.from, p.to),
      ),
    );
  }
  const unit = await unitFor(ctx, unitCode);
  const figures = await measure(ctx.db, [unit.id], periods);
  return figures.map(exact);
}

async function unitFor(ctx: Context, code: string): Promise<UnitRow> {
  const unit = await ctx.loaders.unitByCode.load(code);
  if (!unit) throw badInput("unitCode", "no unit has this code");
  return unit;
}

function checkPeriod(from: string, to: string) {
  if (to <= from) throw badInput("to", "to must be after from (the period is [from, to))");
  if (to > addMonths(from, 12 * MAX_YEARS))
    throw badInput("to", `a period can be at most ${MAX_YEARS} years`);
}

const PUBLIC_PERIODS =
  "public figures cover one whole calendar month, quarter (starting 1 January, April, July or October) or year: from is its first day and to the first day of the next";

/**
 * Suppressed figures only for whole calendar months, quarters and years: two public periods then either
 * do not overlap or one holds the other whole, so no difference of two published counts isolates a few
 * days (an overlap of [11-01, 11-20) and [11-01, 11-21) would publish the 20th's count).
 */
function checkPublicPeriod(from: string, to: string) {
  if (from.slice(8) !== "01") throw badInput("from", PUBLIC_PERIODS);
  const month = Number(from.slice(5, 7));
  const whole = [
    addMonths(from, 1),
    ...(month % 3 === 1 ? [addMonths(from, 3)] : []),
    ...(month === 1 ? [addMonths(from, 12)] : []),
  ];
  if (!whole.includes(to)) throw badInput("to", PUBLIC_PERIODS);
}

/** Years the public may ask about, the current one included: each is a table built and kept in memory. */
export const PUBLIC_YEARS = 10;

/**
 * Public figures cover the last PUBLIC_YEARS calendar years: building a year costs about 2 s nationally,
 * so any year at all would let one caller keep the server building.
 */
function checkPublicYears(ctx: Context, from: string, to: string) {
  const current = Number(ctx.today.slice(0, 4));
  const message = `public figures cover the calendar years ${current - PUBLIC_YEARS + 1} to ${current}`;
  if (Number(from.slice(0, 4)) < current - PUBLIC_YEARS + 1) throw badInput("from", message);
  if (to > `${current + 1}-01-01`) throw badInput("to", message);
}

const PUBLIC_SERIES =
  "a public series covers whole intervals: from is the first day of a month, quarter or year (as interval says) and to the first day of another";

const INTERVAL_MONTHS: Record<MetricsInterval, number> = { MONTH: 1, QUARTER: 3, YEAR: 12 };

/** Calendar intervals (months, quarters, years) covering [from, to), the first and last clipped to it. */
function seriesPeriods(from: string, to: string, interval: MetricsInterval): Period[] {
  const step = INTERVAL_MONTHS[interval];
  const periods: Period[] = [];
  let start = from;
  while (start < to) {
    if (periods.length === MAX_POINTS)
      throw badInput(
        "interval",
        `a series can have at most ${MAX_POINTS} points; choose a longer interval`,
      );
    const month = Number(start.slice(5, 7)) - 1;
    const boundary = addMonths(`${start.slice(0, 4)}-01-01`, month - (month % step) + step);
    const end = boundary < to ? boundary : to;
    periods.push({ from: start, to: end });
    start = end;
  }
  return periods;
}

/** Roll-up sums for one unit and one period, before publication. */
interface Figures extends Period {
  unitId: string;
  officers: number;
  received: number;
  closed: number;
  closedInTime: number;
  open: number;
  overdue: number;
  withFinding: number;
  sustained: number;
  commendations: number;
  feedbackResponses: number;
  feedbackSum: number;
  medianDays: number | null;
  byCategory: Map<string, { allegations: number; sustained: number }>;
}

interface Segment {
  idx: number;
  kind: "flow" | "stock";
  grain: "D" | "M";
  start_day: string;
  end_day: string;
}

/**
 * Splits each period into whole months (read from month rows) and the days at either end (day rows),
 * and each end-of-period stock into all months before the last one plus its days. A one-year figure
 * thus reads about a dozen rows per unit, whatever the number of complaints.
 */
function segments(periods: Period[]): Segment[] {
  const out: Segment[] = [];
  periods.forEach(({ from, to }, idx) => {
    const firstWhole = from.endsWith("-01") ? from : addMonths(from.slice(0, 8) + "01", 1);
    const lastStart = to.slice(0, 8) + "01";
    const flow = (grain: "D" | "M", start: string, end: string) => {
      if (start < end) out.push({ idx, kind: "flow", grain, start_day: start, end_day: end });
    };
    if (firstWhole < lastStart) {
      flow("D", from, firstWhole);
      flow("M", firstWhole, lastStart);
      flow("D", lastStart, to);
    } else {
      flow("D", from, to);
    }
    out.push({ idx, kind: "stock", grain: "M", start_day: "-infinity", end_day: lastStart });
    if (lastStart < to)
      out.push({ idx, kind: "stock", grain: "D", start_day: lastStart, end_day: to });
  });
  return out;
}

type Sums = Record<
  | "received"
  | "opened"
  | "closed"
  | "closed_in_time"
  | "overdue_started"
  | "overdue_ended"
  | "feedback_responses"
  | "feedback_sum"
  | "with_finding"
  | "sustained"
  | "commendations"
  | "officers_in"
  | "officers_out",
  number
>;

/** Three statements for any number of units and periods: the wide sums, the categories, the close-day histogram. */
async function measure(
  db: Queryable,
  unitIds: string[],
  periods: Period[],
  parts = { categories: true, medians: true },
): Promise<Figures[]> {
  const segs = segments(periods);
  const source = sql`jsonb_to_recordset(${JSON.stringify(segs)}::jsonb) as s(idx int, kind text, grain text, start_day date, end_day date)`;
  const units = sql`${`{${unitIds.join(",")}}`}::uuid[]`;
  // One index range scan per segment and unit ("offset 0" keeps the planner from flattening the lateral
  // into a hash join on grain that reads every row of the units: 136k rows instead of 4.5k nationally).
  const match = (table: string) =>
    sql`cross join lateral (select * from ${sql.raw(table)} m where m.unit_id = any(${units}) and m.grain = s.grain and m.day >= s.start_day and m.day < s.end_day offset 0) m`;
  const [wide, categories, histogram] = await Promise.all([
    rows<Sums & { idx: number; kind: string; unit_id: string }>(
      db,
      sql`select s.idx, s.kind, m.unit_id,
            sum(received)::int as received, sum(opened)::int as opened, sum(closed)::int as closed,
            sum(closed_in_time)::int as closed_in_time, sum(overdue_started)::int as overdue_started,
            sum(overdue_ended)::int as overdue_ended, sum(feedback_responses)::int as feedback_responses,
            sum(feedback_sum)::int as feedback_sum, sum(with_finding)::int as with_finding, sum(sustained)::int as sustained,
            sum(commendations)::int as commendations, sum(officers_in)::int as officers_in, sum(officers_out)::int as officers_out
          from ${source} ${match("metrics_daily")} group by 1, 2, 3`,
    ),
    !parts.categories
      ? []
      : rows<{
          idx: number;
          unit_id: string;
          category: string;
          allegations: number;
          sustained: number;
        }>(
          db,
          sql`select s.idx, m.unit_id, m.category, sum(m.allegations)::int as allegations, sum(m.sustained)::int as sustained
          from ${source} ${match("metrics_category_daily")} where s.kind = 'flow' group by 1, 2, 3`,
        ),
    !parts.medians
      ? []
      : rows<{ idx: number; unit_id: string; days: number; complaints: number }>(
          db,
          sql`select s.idx, m.unit_id, m.days, sum(m.complaints)::int as complaints
          from ${source} ${match("metrics_close_days")} where s.kind = 'flow' group by 1, 2, 3 having sum(m.complaints) <> 0 order by 1, 2, 3`,
        ),
  ]);
  const key = (idx: number, unitId: string) => `${idx}/${unitId}`;
  const sums = new Map<string, { flow?: Sums; stock?: Sums }>();
  for (const r of wide) {
    const entry = sums.get(key(r.idx, r.unit_id)) ?? {};
    const kind = r.kind as "flow" | "stock";
    entry[kind] = addSums(entry[kind], r);
    sums.set(key(r.idx, r.unit_id), entry);
  }
  const figures: Figures[] = [];
  periods.forEach((period, idx) => {
    for (const unitId of unitIds) {
      const { flow = ZERO, stock = ZERO } = sums.get(key(idx, unitId)) ?? {};
      const byCategory = new Map(
        categories
          .filter((c) => c.idx === idx && c.unit_id === unitId)
          .map((c) => [c.category, { allegations: c.allegations, sustained: c.sustained }]),
      );
      const days = histogram.filter((h) => h.idx === idx && h.unit_id === unitId);
      figures.push({
        ...period,
        unitId,
        officers: stock.officers_in - stock.officers_out,
        received: flow.received,
        closed: flow.closed,
        closedInTime: flow.closed_in_time,
        open: stock.opened - stock.closed,
        overdue: stock.overdue_started - stock.overdue_ended,
        withFinding: flow.with_finding,
        sustained: flow.sustained,
        commendations: flow.commendations,
        feedbackResponses: flow.feedback_responses,
        feedbackSum: flow.feedback_sum,
        medianDays: parts.medians ? median(days.map((d) => [d.days, d.complaints])) : null,
        byCategory,
      });
    }
  });
  return figures;
}

const ZERO = Object.fromEntries(
  [
    "received",
    "opened",
    "closed",
    "closed_in_time",
    "overdue_started",
    "overdue_ended",
    "feedback_responses",
    "feedback_sum",
    "with_finding",
    "sustained",
    "commendations",
    "officers_in",
    "officers_out",
  ].map((k) => [k, 0]),
) as Sums;

function addSums(a: Sums | undefined, b: Sums): Sums {
  const out = { ...ZERO };
  for (const k of Object.keys(ZERO) as (keyof Sums)[]) out[k] = (a?.[k] ?? 0) + Number(b[k]);
  return out;
}

/** Exact figures, for readers who see them (EXACT_METRICS_READERS); the public's are publication.service.ts's. */
function exact(f: Figures): TrustMetrics {
  const ratio = (numerator: number, denominator: number, scale = 1) =>
    denominator > 0 ? (numerator * scale) / denominator : null;
  return {
    unitId: f.unitId,
    from: f.from,
    to: f.to,
    officerCount: f.officers,
    complaintsReceived: f.received,
    complaintsPer100Officers: ratio(f.received, f.officers, 100),
    complaintsClosed: f.closed,
    allegationsWithFinding: f.withFinding,
    sustainRate: ratio(f.sustained, f.withFinding),
    medianDaysToClose: f.closed > 0 ? f.medianDays : null,
    closedWithinDeadlineRate: ratio(f.closedInTime, f.closed),
    openCases: f.open,
    overdueCases: f.overdue,
    commendations: f.commendations,
    commendationToComplaintRatio: ratio(f.commendations, f.received),
    satisfaction: {
      responses: f.feedbackResponses,
      averageRating: ratio(f.feedbackSum, f.feedbackResponses),
    },
    byCategory: CATEGORIES.map((category) => {
      const c = f.byCategory.get(category) ?? { allegations: 0, sustained: 0 };
      return { category, allegations: c.allegations, sustained: c.sustained };
    }),
    suppressedFields: [],
    suppress: false,
  };
}
