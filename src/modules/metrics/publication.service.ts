import { Worker } from "node:worker_threads";
import { extname, join } from "node:path";
import { sql } from "drizzle-orm";
import { rows, type Queryable } from "../../db/client";
import { CATEGORIES, type UnitRow } from "../../db/schema";
import { todayIn } from "../../common/clock";
import {
  YEAR_NODE,
  cellOf,
  computeYear,
  monthNode,
  unitTree,
  type CategoryRow,
  type Flow,
  type HistoryRow,
  type Stock,
  type Table,
  type UnitTree,
  type YearInput,
  type YearTables,
} from "./publication.tables";
import type { CategoryMetrics, TrustMetrics } from "./metrics.type";

/*
 * What the public sees. Public periods are one whole calendar month, quarter or year (metrics.service.ts),
 * so every public figure of a year is a cell of one table (publication.tables.ts). Suppression is decided
 * for the whole table at once (suppression.ts), so that what one request hides no other request, nor the
 * sum or difference of any published figures, gives back; and the decision depends on the data only,
 * never on what was asked.
 *
 * The tables are built from the month roll-ups (about 3,000 rows and 35,000 category rows nationally) on a
 * worker thread, and kept for PUBLIC_METRICS_REFRESH_SECONDS: public figures lag the roll-ups by at most
 * that long. Exact readers never come here.
 */

/** The public figures of one calendar year, suppressed together. */
export class PublishedYear {
  private readonly medians = new Map<string, Promise<number | null>>();
  private readonly published = new Map<string, Promise<TrustMetrics>>();

  constructor(
    readonly year: number,
    readonly builtAt: number,
    private readonly tree: UnitTree,
    readonly tables: YearTables,
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
      const i = cellOf(table, nodes);
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
    const flow = (field: string, name: Flow) => read(field, this.tables.flows[name], [u, t]);
    const stock = (field: string, name: Stock) => read(field, this.tables.stocks[name], [u, end]);

    const officers = stock("officerCount", "officers");
    const received = flow("complaintsReceived", "received");
    const per100 = rate("complaintsPer100Officers", received, officers, 100);
    const closed = flow("complaintsClosed", "closed");
    const withFinding = flow("allegationsWithFinding", "withFinding");
    const sustained = read(null, this.tables.sustained, [u, t, 0]);
    const sustainRate = rate("sustainRate", sustained, withFinding);
    let median: number | null = null;
    if (closed.n > 0 && closed.shown && withMedian) median = await this.median(unitId, from, to);
    else if (closed.n > 0) hidden.push("medianDaysToClose");
    const inTime = read(null, this.tables.flows.closedInTime, [u, t]);
    const closedWithinDeadlineRate = rate("closedWithinDeadlineRate", inTime, closed);
    const open = stock("openCases", "open");
    const overdue = stock("overdueCases", "overdue");
    const commendations = flow("commendations", "commendations");
    const ratio = rate("commendationToComplaintRatio", commendations, received);
    const responses = flow("satisfaction.responses", "feedbackResponses");
    const averageRating = rate(
      "satisfaction.averageRating",
      read(null, this.tables.flows.feedbackSum, [u, t]),
      responses,
    );
    const byCategory: CategoryMetrics[] = CATEGORIES.map((category, c) => ({
      category,
      allegations: show(
        read(`byCategory.${category}.allegations`, this.tables.allegations, [u, t, c + 1]),
      ),
      sustained: show(
        read(`byCategory.${category}.sustained`, this.tables.sustained, [u, t, c + 1]),
      ),
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
 * and that year's categories, and suppresses the year's tables on the worker thread (or here, `inline`).
 */
export async function buildYear(
  db: Queryable,
  year: number,
  inline = false,
): Promise<PublishedYear> {
  const to = `${year + 1}-01-01`;
  const [units, history, categories] = await Promise.all([
    rows<UnitRow>(
      db,
      sql`select id, code, name, kind, parent_id as "parentId", path, created_at as "createdAt" from units order by code`,
    ),
    rows<HistoryRow>(
      db,
      sql`select unit_id, (extract(year from day) * 12 + extract(month from day) - 1)::int as month,
            received, closed, closed_in_time, with_finding, commendations, feedback_responses, feedback_sum,
            officers_in - officers_out as officers, opened - closed as open,
            overdue_started - overdue_ended as overdue
          from metrics_daily where grain = 'M' and day < ${to}`,
    ),
    rows<CategoryRow>(
      db,
      sql`select unit_id, extract(month from day)::int - 1 as month, category, allegations, sustained
          from metrics_category_daily where grain = 'M' and day >= ${`${year}-01-01`} and day < ${to}`,
    ),
  ]);

  const input: YearInput = { year, units, history, categories };
  const tables = inline ? computeYear(input) : await tableWorker.compute(input);
  return new PublishedYear(year, Date.now(), unitTree(units), tables, db);
}

/**
 * The worker thread that suppresses years, one at a time, started on first use. It never keeps the
 * process alive when idle; a worker that fails fails the builds it holds, and the next build starts another.
 */
class TableWorker {
  private worker?: Worker;
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (tables: YearTables) => void; reject: (err: Error) => void }
  >();

  compute(input: YearInput): Promise<YearTables> {
    const worker = (this.worker ??= this.start());
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, input });
    });
  }

  private start(): Worker {
    // Built code runs the compiled worker; under ts-node or jest the worker compiles its TypeScript itself.
    const entry = join(__dirname, `publication.worker${extname(__filename)}`);
    const worker = entry.endsWith(".ts")
      ? new Worker(
          `require("ts-node").register({ transpileOnly: true, swc: true }); require(${JSON.stringify(entry)});`,
          { eval: true },
        )
      : new Worker(entry);
    worker.unref();
    worker.on(
      "message",
      ({ id, tables, error }: { id: number; tables?: YearTables; error?: string }) => {
        const waiting = this.waiting.get(id);
        this.waiting.delete(id);
        if (this.waiting.size === 0) worker.unref();
        if (error !== undefined) waiting?.reject(new Error(error));
        else waiting?.resolve(tables!);
      },
    );
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const { reject } of this.waiting.values()) reject(err);
      this.waiting.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the public figures' worker stopped (${code})`)));
    return worker;
  }
}

const tableWorker = new TableWorker();

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

  /** Builds these years in the background, when figures are kept at all; settles once all are built or failed. */
  async warm(years: number[], onError: (err: unknown) => void): Promise<void> {
    if (this.ttlSeconds === 0) return;
    await Promise.all(years.map((year) => this.year(year).catch(onError)));
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
