import { CATEGORIES, type UnitRow } from "../../db/schema";
import {
  productTable,
  suppress,
  type CellSpec,
  type Dimension,
  type Relation,
} from "./suppression";

/*
 * Every public figure of a year is a cell of one table per count: every unit (with its subtree) × the year,
 * its quarters and its months. This builds the tables from the month roll-ups and suppresses them
 * (suppression.ts). Pure, and plain data in and out, so that it runs on a worker thread
 * (publication.worker.ts) and never holds up the event loop.
 */

/** Time nodes of a year: 0 the year, 1-4 its quarters, 5-16 its months. */
export const YEAR_NODE = 0;
export const monthNode = (month: number) => 5 + month;
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

export const FLOWS = [
  "received",
  "closed",
  "closedInTime",
  "withFinding",
  "commendations",
  "feedbackResponses",
  "feedbackSum",
] as const;
export const STOCKS = ["officers", "open", "overdue"] as const;
export type Flow = (typeof FLOWS)[number];
export type Stock = (typeof STOCKS)[number];

/** A suppressed table: plain arrays, so that it crosses from the worker thread as it is. */
export interface Table {
  values: Float64Array;
  /** 1 where the cell is not shown. */
  hidden: Uint8Array;
  /** A cell's index is the sum of its nodes times these (productTable's layout). */
  strides: number[];
}

export const cellOf = (table: Table, nodes: number[]) =>
  nodes.reduce((sum, node, k) => sum + node * table.strides[k], 0);

export interface UnitTree {
  units: UnitRow[];
  byId: Map<string, number>;
  byCode: Map<string, number>;
  children: number[][];
}

/** Reads of one year's build: the month roll-ups of every unit up to the end of the year, and its categories. */
export interface YearInput {
  year: number;
  units: UnitRow[];
  history: HistoryRow[];
  categories: CategoryRow[];
}
export type HistoryRow = { unit_id: string; month: number } & Record<string, number>;
export interface CategoryRow {
  unit_id: string;
  month: number;
  category: string;
  allegations: number;
  sustained: number;
}

export interface YearTables {
  flows: Record<Flow, Table>;
  stocks: Record<Stock, Table>;
  allegations: Table;
  sustained: Table;
}

/** Suppresses the year's tables: seconds of CPU nationally, so the server runs it on a worker thread. */
export function computeYear({ year, units, history, categories }: YearInput): YearTables {
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
  const suppressed = (built: Built, hidden?: boolean[]): Table => ({
    values: Float64Array.from(built.cells, (c) => c.value),
    hidden: Uint8Array.from(hidden ?? suppress(built.cells, built.relations), (h) => (h ? 1 : 0)),
    strides: built.strides,
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
  return {
    flows,
    stocks,
    allegations: byCategory(allegationValues),
    sustained: byCategory(sustainedValues),
  };
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

export function unitTree(units: UnitRow[]): UnitTree {
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
