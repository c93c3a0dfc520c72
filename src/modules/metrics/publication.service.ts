import { sql } from "drizzle-orm";
import { rows, type Queryable } from "../../db/client";
import { CATEGORIES, type UnitRow } from "../../db/schema";
import { todayIn } from "../../common/clock";
import {
  productTable,
  suppress,
  type CellSpec,
  type Dimension,
  type Relation,
} from "./suppression";
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
  private readonly published = new Map<string, Promise<TrustMetrics>>();

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

  /**
   * Published figures of a unit for one public period of this year (checked by the caller), computed once
   * per build: callers never change them.
   */
  figures(unitId: string, from: string, to: string, withMedian = true): Promise<TrustMetrics> {
    const key = `${unitId}|${from}|${to}|${withMedian}`;
    let figures = this.published.get(key);
    if (!figures) {
      figures = this.compute(unitId, from, to, withMedian);
      this.published.set(key, figures);
      figures.catch(() => this.published.delete(key));
    }
    return figures;
  }

  private async compute(
    unitId: string,
    from: string,
    to: string,
    withMedian: boolean,
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

/**
 * Reads the month roll-ups of every unit up to the end of `year` (a few thousand rows a year nationally)
 * and that year's categories, and suppresses the year's tables.
 */
export async function buildYear(db: Queryable, year: number): Promise<PublishedYear> {
  const to = `${year + 1}-01-01`;
  const [units, history, categories] = await Promise.all([
    rows<UnitRow>(
      db,
      sql`select id, code, name, kind, parent_id as "parentId", path, created_at as "createdAt" from units order by code`,
    ),
    rows<{ unit_id: string; month: number } & Record<string, number>>(
      db,
      sql`select unit_id, (extract(year from day) * 12 + extract(month from day) - 1)::int as month,
            received, closed, closed_in_time, with_finding, commendations, feedback_responses, feedback_sum,
            officers_in - officers_out as officers, opened - closed as open,
            overdue_started - overdue_ended as overdue
          from metrics_daily where grain = 'M' and day < ${to}`,
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
          from metrics_category_daily where grain = 'M' and day >= ${`${year}-01-01`} and day < ${to}`,
    ),
  ]);

  const tree = unitTree(units);
  const n = units.length;
  // Months from the first with any roll-up (or this year's January) to this year's December.
  const earliest = history.reduce((m, r) => Math.min(m, r.month), year * 12);
  const first = earliest - (earliest % 12);
  const span = year * 12 + 12 - first;
  const at = (unit: number, month: number) => unit * span + month - first;
  const values = Object.fromEntries(
    [...FLOWS, ...STOCKS].map((f) => [f, new Float64Array(n * span)]),
  ) as Record<Flow | Stock, Float64Array>;
  const column: Record<Flow, string> = {
    received: "received",
    closed: "closed",
    closedInTime: "closed_in_time",
    withFinding: "with_finding",
    commendations: "commendations",
    feedbackResponses: "feedback_responses",
    feedbackSum: "feedback_sum",
  };
  for (const r of history) {
    const u = tree.byId.get(r.unit_id);
    if (u === undefined) continue;
    for (const f of FLOWS) values[f][at(u, r.month)] = Number(r[column[f]]);
    for (const s of STOCKS) values[s][at(u, r.month)] = Number(r[s]);
  }
  // Month deltas become the stock at each month's end.
  for (let u = 0; u < n; u++)
    for (const s of STOCKS)
      for (let m = first + 1; m < first + span; m++) values[s][at(u, m)] += values[s][at(u, m - 1)];

  const units2 = unitDimension(tree);
  /** A leaf of the unit dimension is a leaf unit, or a unit's own part (its figure less its children's). */
  const leaf = (node: number, get: (unit: number) => number) => {
    if (node < n) return get(node);
    const u = units2.ownerOf[node - n];
    return tree.children[u].reduce((sum, c) => sum - get(c), get(u));
  };
  /** A count's table for one year: flows over the year, its quarters and months; stocks at month ends. */
  const tableOf = (name: Flow | Stock, y: number) =>
    (FLOWS as readonly string[]).includes(name)
      ? productTable([units2.dimension, TIME], ([u, t]) =>
          leaf(u, (unit) => values[name][at(unit, y * 12 + t - 5)]),
        )
      : productTable([units2.dimension, MONTH_ENDS], ([u, m]) =>
          leaf(u, (unit) => values[name][at(unit, y * 12 + m)]),
        );
  const suppressed = (built: ReturnType<typeof productTable>, hidden?: boolean[]): Table => ({
    values: built.cells.map((c) => c.value),
    hidden: hidden ?? suppress(built.cells, built.relations),
    index: built.index,
  });

  // Open cases, received and closed complaints are one system, year after year from the first: each
  // year takes the December before as its predecessor published it.
  let opening: boolean[] | null = null;
  let linked: ReturnType<typeof suppressOpenCases> | null = null;
  for (let y = first / 12; y <= year; y++) {
    const openingValue = (node: number) =>
      y * 12 === first ? 0 : leaf(node, (unit) => values.open[at(unit, y * 12 - 1)]);
    linked = suppressOpenCases(
      tableOf("received", y),
      tableOf("closed", y),
      tableOf("open", y),
      productTable([units2.dimension], ([u]) => openingValue(u)),
      opening,
    );
    opening = linked.decemberHidden;
  }
  const link = linked!;

  const flows = Object.fromEntries(
    FLOWS.map((f) => {
      const built = tableOf(f, year);
      if (f === "received") return [f, suppressed(link.received.built, link.received.hidden)];
      if (f === "closed") return [f, suppressed(link.closed.built, link.closed.hidden)];
      // The sum of ratings is never shown: averageRating follows satisfaction.responses.
      return [f, suppressed(built, f === "feedbackSum" ? built.cells.map(() => false) : undefined)];
    }),
  ) as Record<Flow, Table>;
  const stocks = Object.fromEntries(
    STOCKS.map((s) => [
      s,
      s === "open" ? suppressed(link.open.built, link.open.hidden) : suppressed(tableOf(s, year)),
    ]),
  ) as Record<Stock, Table>;

  const categoryIndex = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
  const allegationValues = new Float64Array(n * 12 * CATEGORIES.length);
  const sustainedValues = new Float64Array(n * 12 * CATEGORIES.length);
  for (const r of categories) {
    const u = tree.byId.get(r.unit_id);
    const c = categoryIndex.get(r.category);
    if (u === undefined || c === undefined) continue;
    allegationValues[(u * 12 + r.month) * CATEGORIES.length + c] = Number(r.allegations);
    sustainedValues[(u * 12 + r.month) * CATEGORIES.length + c] = Number(r.sustained);
  }
  const byCategory = (categoryValues: Float64Array) =>
    suppressed(
      productTable([units2.dimension, TIME, CATEGORY_TOTAL], ([u, t, c]) =>
        leaf(u, (unit) => categoryValues[(unit * 12 + t - 5) * CATEGORIES.length + c - 1]),
      ),
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

type Built = ReturnType<typeof productTable>;

/**
 * Open cases at a month's end are those at the end of the month before, plus complaints received, less
 * complaints closed (the roll-ups open a complaint when it is received, and count open and closed ones as
 * the records stand now). So a hidden count among the four could be worked out from the other three: the
 * three tables are suppressed as one system, with, per unit and month, an unpublished cell x and the
 * relations x = open before + received = open after + closed.
 *
 * The open cases at the end of the December before are the previous year's: known where it showed them,
 * and protected (hidden, and kept underivable) where it hid them.
 */
function suppressOpenCases(
  received: Built,
  closed: Built,
  open: Built,
  opening: Built,
  openingHidden: boolean[] | null,
) {
  const cells: CellSpec[] = [];
  const relations: Relation[] = [];
  const add = (built: Built, flags: (i: number) => Partial<CellSpec> = () => ({})) => {
    const offset = cells.length;
    built.cells.forEach((c, i) => cells.push({ ...c, ...flags(i) }));
    for (const r of built.relations)
      relations.push({ total: r.total + offset, parts: r.parts.map((p) => p + offset) });
    return (nodes: number[]) => offset + built.index(nodes);
  };
  const receivedAt = add(received);
  const closedAt = add(closed);
  const openAt = add(open);
  const units = opening.cells.length;
  const wasHidden = new Uint8Array(units);
  for (let u = 0; u < units; u++) if (openingHidden?.[u]) wasHidden[opening.index([u])] = 1;
  const openingAt = add(opening, (i) => (wasHidden[i] ? { protect: true } : { known: true }));
  for (let u = 0; u < units; u++) {
    let before = openingAt([u]);
    for (let m = 0; m < 12; m++) {
      const after = openAt([u, m]);
      const x = cells.length;
      const value = cells[after].value + cells[closedAt([u, monthNode(m)])].value;
      cells.push({ value, published: false });
      relations.push({ total: x, parts: [before, receivedAt([u, monthNode(m)])] });
      relations.push({ total: x, parts: [after, closedAt([u, monthNode(m)])] });
      before = after;
    }
  }
  const hidden = suppress(cells, relations);
  const slice = (start: number, built: Built) => hidden.slice(start, start + built.cells.length);
  const r0 = 0;
  const c0 = r0 + received.cells.length;
  const o0 = c0 + closed.cells.length;
  const openHidden = slice(o0, open);
  return {
    received: { built: received, hidden: slice(r0, received) },
    closed: { built: closed, hidden: slice(c0, closed) },
    open: { built: open, hidden: openHidden },
    decemberHidden: Array.from({ length: units }, (_, u) => openHidden[open.index([u, 11])]),
  };
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
 * Built years, each kept for `ttlSeconds` (a past year 60 times as long: its figures change only when an old
 * record does). A stale year is served while the next one is built, so that only a year's first request
 * waits for it; 0 builds one for every request (tests).
 */
export class Publication {
  private readonly years = new Map<
    number,
    { ready?: PublishedYear; building?: Promise<PublishedYear> }
  >();

  constructor(
    private readonly db: Queryable,
    private readonly ttlSeconds: number,
    private readonly timeZone: string,
  ) {}

  /** Builds these years in the background, when figures are kept at all. */
  warm(years: number[], onError: (err: unknown) => void): void {
    if (this.ttlSeconds === 0) return;
    for (const year of years) this.year(year).catch(onError);
  }

  async year(year: number, force = false): Promise<PublishedYear> {
    const entry = this.years.get(year) ?? {};
    this.years.set(year, entry);
    const { ready } = entry;
    if (!ready || force || this.ttlSeconds === 0) return this.build(year, entry);
    const past = year < Number(todayIn(this.timeZone).slice(0, 4));
    if (Date.now() - ready.builtAt > this.ttlSeconds * (past ? 60_000 : 1_000))
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
