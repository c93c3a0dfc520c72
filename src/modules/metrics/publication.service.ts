import { sql } from "drizzle-orm";
import { rows, type Queryable } from "../../db/client";
import { CATEGORIES, type UnitRow } from "../../db/schema";
import { productTable, suppress, type Dimension } from "./suppression";
import type { CategoryMetrics, TrustMetrics } from "./metrics.type";

/*
 * What the public sees. Public periods are one whole calendar month, quarter or year (metrics.service.ts),
 * so every public figure of a year is a cell of one table: every unit (with its subtree) × the year, its
 * quarters and its months. Suppression is decided for the whole table at once (suppression.ts), so that
 * what one request hides no other request, nor the sum or difference of any published figures, gives
 * back; and the decision depends on the data only, never on what was asked.
 *
 * The table is built from the month roll-ups (about 3,000 rows and 35,000 category rows nationally) and
 * kept for PUBLIC_METRICS_REFRESH_SECONDS: public figures lag the roll-ups by at most that long. Exact
 * readers never come here.
 */

/** Time nodes of a year: 0 the year, 1-4 its quarters, 5-16 its months. */
const YEAR_NODE = 0;
const monthNode = (month: number) => 5 + month;
const TIME: Dimension = {
  children: [
    [1, 2, 3, 4],
    ...[0, 1, 2, 3].map((q) => [monthNode(3 * q), monthNode(3 * q + 1), monthNode(3 * q + 2)]),
    ...Array.from({ length: 12 }, () => []),
  ],
};
/** Stocks are taken at a month's end; a quarter's or a year's is its last month's, and they do not add up over time. */
const MONTH_ENDS: Dimension = { children: Array.from({ length: 12 }, () => []) };
/**
 * A total over categories, and the categories. Sustained findings in all categories are published (as
 * sustainRate × allegationsWithFinding); allegations in all are not, but are treated as known all the same.
 */
const CATEGORY_TOTAL: Dimension = {
  children: [CATEGORIES.map((_, i) => i + 1), ...CATEGORIES.map(() => [])],
};

const FLOWS = [
  "received",
  "closed",
  "closedInTime",
  "withFinding",
  "commendations",
  "feedbackResponses",
  "feedbackSum",
] as const;
const STOCKS = ["officers", "open", "overdue"] as const;
type Flow = (typeof FLOWS)[number];
type Stock = (typeof STOCKS)[number];

interface Table {
  values: number[];
  hidden: boolean[];
  index: (nodes: number[]) => number;
}

interface UnitTree {
  units: UnitRow[];
  byId: Map<string, number>;
  byCode: Map<string, number>;
  children: number[][];
}

/** The public figures of one calendar year, suppressed together. */
export class PublishedYear {
  private readonly medians = new Map<string, Promise<number | null>>();

  constructor(
    readonly year: number,
    readonly builtAt: number,
    private readonly tree: UnitTree,
    private readonly flows: Record<Flow, Table>,
    private readonly stocks: Record<Stock, Table>,
    private readonly allegations: Table,
    private readonly sustained: Table,
    private readonly db: Queryable,
  ) {}

  unitByCode(code: string): UnitRow | undefined {
    const i = this.tree.byCode.get(code);
    return i === undefined ? undefined : this.tree.units[i];
  }

  children(unitId: string): UnitRow[] {
    const i = this.tree.byId.get(unitId);
    return i === undefined ? [] : this.tree.children[i].map((c) => this.tree.units[c]);
  }

  has(unitId: string): boolean {
    return this.tree.byId.has(unitId);
  }

  /** Published figures of a unit for one public period of this year (checked by the caller). */
  async figures(
    unitId: string,
    from: string,
    to: string,
    withMedian = true,
  ): Promise<TrustMetrics> {
    const u = this.tree.byId.get(unitId)!;
    const month = Number(from.slice(5, 7)) - 1;
    const span = monthsBetween(from, to);
    const t = span === 12 ? YEAR_NODE : span === 3 ? 1 + month / 3 : monthNode(month);
    const end = month + span - 1;
    const hidden: string[] = [];
    /** A cell, and whether it is shown; a hidden one is listed under `field` when it has one. */
    const read = (field: string | null, table: Table, nodes: number[]) => {
      const i = table.index(nodes);
      if (table.hidden[i] && field) hidden.push(field);
      return { n: table.values[i], shown: !table.hidden[i] };
    };
    const show = ({ n, shown }: { n: number; shown: boolean }) => (shown ? n : null);
    const rate = (
      field: string,
      top: { n: number; shown: boolean },
      bottom: { n: number; shown: boolean },
      scale = 1,
    ) => {
      if (bottom.n === 0) return null;
      if (top.shown && bottom.shown) return (top.n * scale) / bottom.n;
      hidden.push(field);
      return null;
    };
    const flow = (field: string, name: Flow) => read(field, this.flows[name], [u, t]);
    const stock = (field: string, name: Stock) => read(field, this.stocks[name], [u, end]);

    const officers = stock("officerCount", "officers");
    const received = flow("complaintsReceived", "received");
    const per100 = rate("complaintsPer100Officers", received, officers, 100);
    const closed = flow("complaintsClosed", "closed");
    const withFinding = flow("allegationsWithFinding", "withFinding");
    const sustained = read(null, this.sustained, [u, t, 0]);
    const sustainRate = rate("sustainRate", sustained, withFinding);
    let median: number | null = null;
    if (closed.n > 0 && closed.shown && withMedian) median = await this.median(unitId, from, to);
    else if (closed.n > 0) hidden.push("medianDaysToClose");
    const inTime = read(null, this.flows.closedInTime, [u, t]);
    const closedWithinDeadlineRate = rate("closedWithinDeadlineRate", inTime, closed);
    const open = stock("openCases", "open");
    const overdue = stock("overdueCases", "overdue");
    const commendations = flow("commendations", "commendations");
    const ratio = rate("commendationToComplaintRatio", commendations, received);
    const responses = flow("satisfaction.responses", "feedbackResponses");
    const averageRating = rate(
      "satisfaction.averageRating",
      read(null, this.flows.feedbackSum, [u, t]),
      responses,
    );
    const byCategory: CategoryMetrics[] = CATEGORIES.map((category, c) => ({
      category,
      allegations: show(
        read(`byCategory.${category}.allegations`, this.allegations, [u, t, c + 1]),
      ),
      sustained: show(read(`byCategory.${category}.sustained`, this.sustained, [u, t, c + 1])),
    }));
    return {
      unitId,
      unit: this.tree.units[u],
      from,
      to,
      officerCount: show(officers),
      complaintsReceived: show(received),
      complaintsPer100Officers: per100,
      complaintsClosed: show(closed),
      allegationsWithFinding: show(withFinding),
      sustainRate,
      medianDaysToClose: median,
      closedWithinDeadlineRate,
      openCases: show(open),
      overdueCases: show(overdue),
      commendations: show(commendations),
      commendationToComplaintRatio: ratio,
      satisfaction: { responses: show(responses), averageRating },
      byCategory,
      suppressedFields: hidden,
      suppress: true,
    };
  }

  /** Medians are not sums: read from the close-day histogram when first asked, and kept with the year. */
  private median(unitId: string, from: string, to: string): Promise<number | null> {
    const key = `${unitId}|${from}|${to}`;
    let median = this.medians.get(key);
    if (!median) {
      median = closeDayMedian(this.db, unitId, from, to);
      this.medians.set(key, median);
      median.catch(() => this.medians.delete(key));
    }
    return median;
  }
}

const monthsBetween = (from: string, to: string) =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
  Number(to.slice(5, 7)) -
  Number(from.slice(5, 7));

/** Median calendar days to close over complaints closed in [from, to), whole months of a unit's subtree. */
async function closeDayMedian(
  db: Queryable,
  unitId: string,
  from: string,
  to: string,
): Promise<number | null> {
  const histogram = await rows<{ days: number; complaints: number }>(
    db,
    sql`select days, sum(complaints)::int as complaints from metrics_close_days
        where unit_id = ${unitId} and grain = 'M' and day >= ${from} and day < ${to}
        group by days having sum(complaints) <> 0 order by days`,
  );
  return median(histogram.map((h) => [h.days, h.complaints]));
}

/** Median of a histogram given as [value, count] pairs in ascending value order. */
export function median(histogram: [number, number][]): number | null {
  const total = histogram.reduce((n, [, count]) => n + count, 0);
  if (!total) return null;
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const [value, count] of histogram) {
      seen += count;
      if (seen >= rank) return value;
    }
    return histogram[histogram.length - 1][0];
  };
  return total % 2 ? valueAt((total + 1) / 2) : (valueAt(total / 2) + valueAt(total / 2 + 1)) / 2;
}

/** Reads one year's month roll-ups for every unit and suppresses its tables. */
export async function buildYear(db: Queryable, year: number): Promise<PublishedYear> {
  const from = `${year}-01-01`;
  const to = `${year + 1}-01-01`;
  const [units, monthly, before, categories] = await Promise.all([
    rows<UnitRow>(
      db,
      sql`select id, code, name, kind, parent_id as "parentId", path, created_at as "createdAt" from units order by code`,
    ),
    rows<{ unit_id: string; month: number } & Record<string, number>>(
      db,
      sql`select unit_id, extract(month from day)::int - 1 as month, received, closed, closed_in_time, with_finding,
            commendations, feedback_responses, feedback_sum, officers_in - officers_out as officers,
            opened - closed as open, overdue_started - overdue_ended as overdue
          from metrics_daily where grain = 'M' and day >= ${from} and day < ${to}`,
    ),
    rows<{ unit_id: string; officers: number; open: number; overdue: number }>(
      db,
      sql`select unit_id, sum(officers_in - officers_out)::int as officers, sum(opened - closed)::int as open,
            sum(overdue_started - overdue_ended)::int as overdue
          from metrics_daily where grain = 'M' and day < ${from} group by unit_id`,
    ),
    rows<{
      unit_id: string;
      month: number;
      category: string;
      allegations: number;
      sustained: number;
    }>(
      db,
      sql`select unit_id, extract(month from day)::int - 1 as month, category, allegations, sustained
          from metrics_category_daily where grain = 'M' and day >= ${from} and day < ${to}`,
    ),
  ]);

  const tree = unitTree(units);
  const n = units.length;
  const at = (unit: number, month: number) => unit * 12 + month;
  const flowValues = Object.fromEntries(FLOWS.map((f) => [f, new Float64Array(n * 12)])) as Record<
    Flow,
    Float64Array
  >;
  const stockValues = Object.fromEntries(
    STOCKS.map((s) => [s, new Float64Array(n * 12)]),
  ) as Record<Stock, Float64Array>;
  const column: Record<Flow, string> = {
    received: "received",
    closed: "closed",
    closedInTime: "closed_in_time",
    withFinding: "with_finding",
    commendations: "commendations",
    feedbackResponses: "feedback_responses",
    feedbackSum: "feedback_sum",
  };
  for (const r of monthly) {
    const u = tree.byId.get(r.unit_id);
    if (u === undefined) continue;
    for (const f of FLOWS) flowValues[f][at(u, r.month)] = Number(r[column[f]]);
    for (const s of STOCKS) stockValues[s][at(u, r.month)] = Number(r[s]);
  }
  // Month deltas become the stock at each month's end.
  const base = new Map(before.map((b) => [b.unit_id, b]));
  for (let u = 0; u < n; u++) {
    const start = base.get(units[u].id);
    for (const s of STOCKS) {
      let running = Number(start?.[s] ?? 0);
      for (let m = 0; m < 12; m++) {
        running += stockValues[s][at(u, m)];
        stockValues[s][at(u, m)] = running;
      }
    }
  }
  const categoryIndex = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
  const allegationValues = new Float64Array(n * 12 * CATEGORIES.length);
  const sustainedValues = new Float64Array(n * 12 * CATEGORIES.length);
  for (const r of categories) {
    const u = tree.byId.get(r.unit_id);
    const c = categoryIndex.get(r.category);
    if (u === undefined || c === undefined) continue;
    allegationValues[at(u, r.month) * CATEGORIES.length + c] = Number(r.allegations);
    sustainedValues[at(u, r.month) * CATEGORIES.length + c] = Number(r.sustained);
  }

  const units2 = unitDimension(tree);
  /** A leaf of the unit dimension is a leaf unit, or a unit's own part (its figure less its children's). */
  const leaf = (node: number, get: (unit: number) => number) => {
    if (node < n) return get(node);
    const u = units2.ownerOf[node - n];
    return tree.children[u].reduce((sum, c) => sum - get(c), get(u));
  };
  const table = (dims: Dimension[], value: (leaves: number[]) => number, suppressed = true) => {
    const built = productTable(dims, value);
    return {
      values: built.cells.map((c) => c.value),
      hidden: suppressed ? suppress(built.cells, built.relations) : built.cells.map(() => false),
      index: built.index,
    };
  };
  const flows = Object.fromEntries(
    FLOWS.map((f) => [
      f,
      table(
        [units2.dimension, TIME],
        ([u, t]) => leaf(u, (unit) => flowValues[f][at(unit, t - 5)]),
        f !== "feedbackSum",
      ),
    ]),
  ) as Record<Flow, Table>;
  const stocks = Object.fromEntries(
    STOCKS.map((s) => [
      s,
      table([units2.dimension, MONTH_ENDS], ([u, m]) =>
        leaf(u, (unit) => stockValues[s][at(unit, m)]),
      ),
    ]),
  ) as Record<Stock, Table>;
  const byCategory = (values: Float64Array) =>
    table([units2.dimension, TIME, CATEGORY_TOTAL], ([u, t, c]) =>
      leaf(u, (unit) => values[at(unit, t - 5) * CATEGORIES.length + c - 1]),
    );
  return new PublishedYear(
    year,
    Date.now(),
    tree,
    flows,
    stocks,
    byCategory(allegationValues),
    byCategory(sustainedValues),
    db,
  );
}

function unitTree(units: UnitRow[]): UnitTree {
  const byId = new Map(units.map((u, i) => [u.id, i]));
  const byCode = new Map(units.map((u, i) => [u.code, i]));
  const children: number[][] = units.map(() => []);
  units.forEach((u, i) => {
    const parent = u.parentId ? byId.get(u.parentId) : undefined;
    if (parent !== undefined) children[parent].push(i);
  });
  return { units, byId, byCode, children };
}

/**
 * Units, and for each unit with children one more node: its own part (officers and complaints of the unit
 * itself, not of a unit below it). It is never shown, but an attacker gets it as the unit's figure minus its
 * children's, so it is suppressed like any cell: protected when small, and assumed known otherwise.
 */
function unitDimension(tree: UnitTree) {
  const n = tree.units.length;
  const ownerOf: number[] = [];
  const children = tree.children.map((c, u) => {
    if (!c.length) return c;
    ownerOf.push(u);
    return [...c, n + ownerOf.length - 1];
  });
  const dimension: Dimension = { children: [...children, ...ownerOf.map(() => [])] };
  return { dimension, ownerOf };
}

/**
 * Built years, each kept for `ttlSeconds`. A stale year is served while the next one is built, so that only
 * a year's first request waits for it; 0 builds one for every request (tests).
 */
export class Publication {
  private readonly years = new Map<
    number,
    { ready?: PublishedYear; building?: Promise<PublishedYear> }
  >();

  constructor(
    private readonly db: Queryable,
    private readonly ttlSeconds: number,
  ) {}

  async year(year: number, force = false): Promise<PublishedYear> {
    const entry = this.years.get(year) ?? {};
    this.years.set(year, entry);
    const { ready } = entry;
    if (!ready || force || this.ttlSeconds === 0) return this.build(year, entry);
    if (Date.now() - ready.builtAt > this.ttlSeconds * 1000)
      this.build(year, entry).catch(() => {});
    return ready;
  }

  private build(year: number, entry: { ready?: PublishedYear; building?: Promise<PublishedYear> }) {
    if (entry.building && this.ttlSeconds > 0) return entry.building;
    const building = buildYear(this.db, year).then((built) => (entry.ready = built));
    entry.building = building;
    const done = () => {
      if (entry.building === building) entry.building = undefined;
    };
    building.then(done, done);
    return building;
  }
}
