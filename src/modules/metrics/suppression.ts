/**
 * Complementary cell suppression for published counts related by additive relations
 * `total = sum(parts)`. Pure: no database, no I/O, deterministic (same input, same output).
 *
 * Threat: a caller sees every published cell of any request and combines them by sums and
 * differences; no count 1..4 may be learnt. Zero is published, so a hidden published cell is
 * known to be >= 1; an unpublished cell (e.g. a unit's own part) is only known to be >= 0.
 *
 * The rule, iterated to a fixed point (hiding only grows, so it terminates):
 * 1. Primary: published cells with value 1..4 are hidden; unpublished cells are always hidden.
 *    `known` cells (published before) are never hidden; `protect`ed ones (hidden before) always
 *    are, and are kept underivable like small ones whatever their value.
 * 2. Complement: a relation (total and parts) with exactly one hidden member gets a second: the
 *    published, non-zero, unhidden part of smallest value (ties: lowest index), else the total if
 *    published and non-zero. Every unhidden published non-zero cell is >= 5, so a complement never
 *    tells more than ">= 1". An unpublished lone member with value 0 or >= 5 is exempt (learning it
 *    reveals nothing small; chains through it are left to the audit), so tables without small
 *    counts lose nothing but their unpublished cells.
 * 3. Lower bound: in a relation whose total is shown, the hidden parts' sum is known; if it equals
 *    the number of hidden published parts (each >= 1; unpublished ones >= 0), every hidden part is
 *    pinned (published ones to 1, unpublished to 0): complement it as in 2.
 * 4. Exact audit: a hidden cell is determined when its unit vector lies in the row space of the
 *    relations restricted to hidden cells (shown cells are constants), found by sparse elimination
 *    over GF(PRIME) (components of hidden cells never mix in it). A determined cell with value
 *    1..4 gets one more hidden cell near it (as in 2, preferring one the elimination proves frees
 *    it), then 2-4 repeat on the components of cells whose fix was not proven. Determined cells
 *    with value 0 or >= 5 are harmless.
 *
 * Limits: only exact disclosure is prevented. Interval disclosure is not: two hidden published
 * parts summing to 3 are each known to lie in 1..2. The lower-bound rule looks at one relation at a
 * time, not at combinations of relations. GF(PRIME) ranks equal rational ones unless PRIME divides
 * a minor, which for these 0/±1 hierarchy matrices is practically excluded.
 */

export interface CellSpec {
  /** True non-negative integer count. */
  value: number;
  /** False: never shown (e.g. a unit's own part, or a total nobody publishes). */
  published: boolean;
  /** Known to the caller from elsewhere (figures published before): never hidden, never a complement. */
  known?: boolean;
  /** Hidden elsewhere, so it must stay hidden and underivable here too, whatever its value. */
  protect?: boolean;
}

/** Indexes into cells; cells[total].value === sum of the parts' values. */
export interface Relation {
  total: number;
  parts: number[];
}

/** A hierarchy dimension: nodes 0..n-1, children[i] lists node i's children; leaves have []. published[i] false marks nodes never shown. */
export interface Dimension {
  children: number[][];
  published?: boolean[];
}

/** 2^26 - 5, prime: a product of two residues is below 2^52, so exact in a double. */
export const PRIME = 67_108_859;

const isSmall = (value: number) => value >= 1 && value <= 4;
/** A cell no caller may learn: a small count, or one hidden elsewhere. */
const mustHide = (cell: CellSpec) => isSmall(cell.value) || cell.protect === true;

/** Returns hidden[i] for every cell: true when the cell must not be published. Unpublished cells are always hidden. */
export function suppress(cells: CellSpec[], relations: Relation[]): boolean[] {
  const n = cells.length;
  const members = relations.map((r) => [r.total, ...r.parts]);
  const cellRelations = byCell(n, members);
  const hidden = new Uint8Array(n);
  const queue: number[] = [];
  const queued = new Uint8Array(relations.length);
  const enqueue = (r: number) => {
    if (!queued[r]) {
      queued[r] = 1;
      queue.push(r);
    }
  };
  const hide = (c: number) => {
    hidden[c] = 1;
    for (const r of cellRelations[c]) enqueue(r);
  };

  /** Rule 2's choice in relation r: smallest published non-zero unhidden part, else the total. */
  const complementIn = (r: number): number => {
    let best = -1;
    for (const c of relations[r].parts) {
      const { value, published, known } = cells[c];
      if (!published || known || value === 0 || hidden[c]) continue;
      if (best < 0 || value < cells[best].value || (value === cells[best].value && c < best)) {
        best = c;
      }
    }
    if (best >= 0) return best;
    const t = relations[r].total;
    return cells[t].published && !cells[t].known && cells[t].value !== 0 && !hidden[t] ? t : -1;
  };

  /** Rules 2 and 3 for one relation: does it need another hidden member? */
  const exposed = (r: number): boolean => {
    let count = 0;
    let lone = -1;
    for (const c of members[r]) {
      if (hidden[c]) {
        count++;
        lone = c;
      }
    }
    if (count === 1) return cells[lone].published || mustHide(cells[lone]);
    if (count === 0 || hidden[relations[r].total]) return false;
    let sum = 0;
    let atLeastOne = 0;
    for (const c of relations[r].parts) {
      if (!hidden[c]) continue;
      sum += cells[c].value;
      if (cells[c].published) atLeastOne++;
    }
    return atLeastOne > 0 && sum === atLeastOne;
  };

  const propagate = () => {
    for (let head = 0; head < queue.length; head++) {
      const r = queue[head];
      queued[r] = 0;
      if (!exposed(r)) continue;
      const c = complementIn(r);
      if (c >= 0) hide(c); // re-queues r, so rule 3 is checked again with the new member
    }
    queue.length = 0;
  };

  for (let c = 0; c < n; c++) {
    if (!cells[c].known && (!cells[c].published || mustHide(cells[c]))) hide(c);
  }
  for (let r = 0; r < relations.length; r++) enqueue(r);

  // Stamps mark membership in the current set without clearing arrays between checks.
  const cellStamp = new Int32Array(n);
  const relationStamp = new Int32Array(relations.length);
  let stamp = 0;

  /** Hidden cells nearest `from` by relation hops, whole hops until `size` is reached (Infinity: their components). */
  const neighbourhood = (from: number[], size: number): number[] => {
    stamp++;
    const out: number[] = [];
    for (const c of from) {
      if (cellStamp[c] === stamp) continue;
      cellStamp[c] = stamp;
      out.push(c);
    }
    for (let start = 0; out.length < size && start < out.length;) {
      const end = out.length;
      for (let i = start; i < end; i++) {
        for (const r of cellRelations[out[i]]) {
          if (relationStamp[r] === stamp) continue;
          relationStamp[r] = stamp;
          for (const c of members[r]) {
            if (hidden[c] && cellStamp[c] !== stamp) {
              cellStamp[c] = stamp;
              out.push(c);
            }
          }
        }
      }
      start = end;
    }
    return out;
  };

  /**
   * Audits the hidden cells `set` (a union of components) on the relations touching it:
   * determined[i] for set[i], and `frees(x, y)`: would hiding y (not hidden at audit time) alone
   * leave x undetermined? When it would, it still does after any further hiding: the null vector
   * it implies, extended by 0, satisfies every later relation, as y's relations are all rows here.
   */
  const audit = (set: number[]) => {
    const columnOf = new Map<number, number>();
    set.forEach((c, i) => columnOf.set(c, i));
    const rowOf = new Map<number, number>();
    const rows: Map<number, number>[] = [];
    for (const c of set) {
      for (const r of cellRelations[c]) {
        if (rowOf.has(r)) continue;
        rowOf.set(r, rows.length);
        const row = new Map<number, number>();
        members[r].forEach((m, k) => {
          if (!hidden[m]) return;
          const j = columnOf.get(m)!;
          row.set(j, ((row.get(j) ?? 0) + (k === 0 ? 1 : PRIME - 1)) % PRIME);
        });
        for (const [j, v] of row) if (v === 0) row.delete(j);
        rows.push(row);
      }
    }
    const elimination = eliminate(set.length, rows);
    const frees = (x: number, y: number) => {
      const column = new Map<number, number>();
      for (const r of cellRelations[y]) {
        const row = rowOf.get(r);
        if (row === undefined) return false; // y would start a new relation row: not provable here
        members[r].forEach((m, k) => {
          if (m === y)
            column.set(row, ((column.get(row) ?? 0) + (k === 0 ? 1 : PRIME - 1)) % PRIME);
        });
      }
      return elimination.frees(columnOf.get(x)!, column);
    };
    return { determined: elimination.determined, frees };
  };

  /**
   * Hides one more cell for each determined small cell x. Candidates: cells already hidden this
   * round, then rule 2's choices in x's relations and outwards through its component (with no
   * shown non-zero member anywhere in it every right-hand side is 0, so x would be 0). The first
   * candidate proven to free x wins; else the nearest is hidden and x is audited again.
   */
  const fix = (pending: number[], frees: (x: number, y: number) => boolean): number[] => {
    const added: number[] = [];
    const unproven: number[] = [];
    for (const x of pending) {
      if (added.some((y) => frees(x, y))) continue;
      const candidates: number[] = [];
      stamp++;
      const queue = [x];
      cellStamp[x] = stamp;
      for (let i = 0; i < queue.length && candidates.length < 8; i++) {
        for (const r of cellRelations[queue[i]]) {
          if (relationStamp[r] === stamp) continue;
          relationStamp[r] = stamp;
          const extra = complementIn(r);
          if (extra >= 0 && !candidates.includes(extra)) candidates.push(extra);
          for (const c of members[r]) {
            if (hidden[c] && cellStamp[c] !== stamp) {
              cellStamp[c] = stamp;
              queue.push(c);
            }
          }
        }
      }
      if (candidates.length === 0) continue; // unreachable, see above
      const proven = candidates.find((y) => frees(x, y));
      if (proven === undefined) unproven.push(x);
      added.push(proven ?? candidates[0]);
      hide(proven ?? candidates[0]);
    }
    return unproven;
  };

  propagate();
  // First audit: every component at once (elimination keeps components apart by itself).
  let set: number[] = [];
  for (let c = 0; c < n; c++) if (hidden[c]) set.push(c);
  for (;;) {
    const { determined, frees } = audit(set);
    const pending = set.filter((c, i) => determined[i] && mustHide(cells[c]));
    if (pending.length === 0) break;
    // Hiding more only adds unknowns, so a cell found free stays free, and new hidden cells are
    // complements (>= 5): only cells whose fix was not proven need another audit.
    const open = fix(pending, frees);
    propagate();
    if (open.length === 0) break;
    set = neighbourhood(open, Infinity);
  }
  return Array.from(hidden, (h) => h === 1);
}

/** Cell -> relations containing it, in relation order. */
function byCell(n: number, members: number[][]): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  members.forEach((m, r) => {
    for (const c of m) if (out[c][out[c].length - 1] !== r) out[c].push(r);
  });
  return out;
}

const mulmod = (a: number, b: number) => (a * b) % PRIME;

function inverse(a: number): number {
  let [r0, r1, s0, s1] = [PRIME, a, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % PRIME) + PRIME) % PRIME;
}

/**
 * Gaussian elimination over GF(PRIME) of sparse rows (column -> residue), pivoting on a column
 * in the fewest rows (column singletons cost no fill-in) and its shortest row.
 * - determined[j]: is e_j in the row space? Two pseudo-random null vectors are back-substituted:
 *   e_j is in the row space exactly when every null vector is 0 at j, and a random one is 0 at a
 *   free j with chance 1/PRIME. So an error can only call a free cell determined (one more hidden
 *   cell), never the reverse; the generator has a fixed seed, so the answer is deterministic.
 * - frees(j, a): with a column a (row -> residue) appended, is j no longer determined? Exactly
 *   when a is in the column space and the solution of A v = -a has v_j != 0 (v_j is the same for
 *   every solution since j is determined). The recorded row operations bring a to echelon form.
 */
export function eliminate(columns: number, rows: Map<number, number>[]) {
  const colRows: Set<number>[] = Array.from({ length: columns }, () => new Set());
  rows.forEach((row, i) => {
    for (const c of row.keys()) colRows[c].add(i);
  });
  const done = new Uint8Array(columns);
  const heap = new MinHeap();
  const SHIFT = 2 ** 24;
  for (let c = 0; c < columns; c++) heap.push(colRows[c].size * SHIFT + c);
  // Step k: pivot column, its row (index and final entries), and "row t -= f * row" operations.
  const pivots: { column: number; index: number; row: Map<number, number>; ops: number[] }[] = [];
  const stepOfRow = new Int32Array(rows.length).fill(-1);
  while (heap.size > 0) {
    const key = heap.pop();
    const c = key % SHIFT;
    if (done[c] || Math.floor(key / SHIFT) !== colRows[c].size) continue; // stale entry
    done[c] = 1;
    if (colRows[c].size === 0) continue; // free column
    let pivot = -1;
    for (const i of colRows[c]) if (pivot < 0 || rows[i].size < rows[pivot].size) pivot = i;
    const prow = rows[pivot];
    for (const k of prow.keys()) {
      colRows[k].delete(pivot);
      if (k !== c) heap.push(colRows[k].size * SHIFT + k);
    }
    const inv = inverse(prow.get(c)!);
    const ops: number[] = [];
    for (const i of [...colRows[c]]) {
      const row = rows[i];
      const f = mulmod(row.get(c)!, inv);
      ops.push(i, f);
      for (const [k, v] of prow) {
        const next = ((row.get(k) ?? 0) - mulmod(f, v) + PRIME) % PRIME;
        if (next === 0) {
          row.delete(k);
          colRows[k].delete(i);
        } else {
          if (!row.has(k)) colRows[k].add(i);
          row.set(k, next);
        }
        if (k !== c) heap.push(colRows[k].size * SHIFT + k);
      }
    }
    stepOfRow[pivot] = pivots.length;
    pivots.push({ column: c, index: pivot, row: prow, ops });
  }
  const stepOfColumn = new Int32Array(columns).fill(-1);
  pivots.forEach((p, k) => (stepOfColumn[p.column] = k));

  const random = mulberry32(0x5e11);
  const nullVector = () => {
    const v = new Float64Array(columns);
    for (let c = 0; c < columns; c++) v[c] = 1 + Math.floor(random() * (PRIME - 1));
    for (let p = pivots.length - 1; p >= 0; p--) {
      const { column, row } = pivots[p];
      let sum = 0;
      for (const [k, a] of row) if (k !== column) sum = (sum + mulmod(a, v[k])) % PRIME;
      v[column] = mulmod(PRIME - sum, inverse(row.get(column)!));
    }
    return v;
  };
  const [a, b] = [nullVector(), nullVector()];
  const determined = Array.from({ length: columns }, (_, c) => a[c] === 0 && b[c] === 0);

  let stepsWith: number[][] | undefined; // column -> earlier steps whose row holds it
  const frees = (j: number, column: Map<number, number>): boolean => {
    if (stepOfColumn[j] < 0) return true;
    // Forward: replay the row operations on the column, step by step in order.
    const value = new Map(column);
    const forward = new MinHeap();
    const queued = new Set<number>();
    const push = (row: number) => {
      const k = stepOfRow[row];
      if (k >= 0 && !queued.has(k)) {
        queued.add(k);
        forward.push(k);
      }
    };
    for (const row of value.keys()) push(row);
    while (forward.size > 0) {
      const k = forward.pop();
      const x = value.get(pivots[k].index) ?? 0;
      if (x === 0) continue;
      const ops = pivots[k].ops;
      for (let o = 0; o < ops.length; o += 2) {
        value.set(ops[o], ((value.get(ops[o]) ?? 0) - mulmod(ops[o + 1], x) + PRIME) % PRIME);
        push(ops[o]);
      }
    }
    // A non-zero left in a row that was never a pivot: the column is outside the column space.
    for (const [row, x] of value) if (x !== 0 && stepOfRow[row] < 0) return false;
    // Backward: v = -U^-1 a, free columns 0, later steps first; only columns reached matter.
    stepsWith ??= (() => {
      const out: number[][] = Array.from({ length: columns }, () => []);
      pivots.forEach((p, k) => {
        for (const c of p.row.keys()) if (c !== p.column) out[c].push(k);
      });
      return out;
    })();
    const v = new Map<number, number>();
    const backward = new MinHeap(); // keys -k: latest step first
    const seen = new Set<number>();
    const visit = (k: number) => {
      if (!seen.has(k)) {
        seen.add(k);
        backward.push(-k);
      }
    };
    for (const [row, x] of value) if (x !== 0) visit(stepOfRow[row]);
    while (backward.size > 0) {
      const k = -backward.pop();
      const { column: c, index, row } = pivots[k];
      let sum = value.get(index) ?? 0;
      for (const [col, coefficient] of row) {
        if (col !== c) sum = (sum + mulmod(coefficient, v.get(col) ?? 0)) % PRIME;
      }
      const x = mulmod(PRIME - sum, inverse(row.get(c)!));
      if (x === 0) continue;
      v.set(c, x);
      for (const earlier of stepsWith[c]) visit(earlier);
    }
    return (v.get(j) ?? 0) !== 0;
  };
  return { determined, frees };
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class MinHeap {
  private items: number[] = [];
  get size() {
    return this.items.length;
  }
  push(x: number) {
    const a = this.items;
    let i = a.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= x) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= a.length) break;
        if (m + 1 < a.length && a[m + 1] < a[m]) m++;
        if (a[m] >= last) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Cells for every combination of one node per dimension, with values summed from
 * `leafValue(leafIndexes)` over the leaves below each node, and one relation per (dimension,
 * internal node, combination of the other dimensions' nodes). A cell is unpublished when any of its
 * nodes is. Returns cells, relations and an `index(nodes)` to find a cell.
 */
export function productTable(
  dims: Dimension[],
  leafValue: (leaves: number[]) => number,
): {
  cells: CellSpec[];
  relations: Relation[];
  index: (nodes: number[]) => number;
  strides: number[];
} {
  const sizes = dims.map((d) => d.children.length);
  const strides: number[] = [];
  let total = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    strides[k] = total;
    total *= sizes[k];
  }
  const index = (nodes: number[]) => nodes.reduce((s, node, k) => s + node * strides[k], 0);
  const coords = (cell: number) => sizes.map((size, k) => Math.floor(cell / strides[k]) % size);
  const orders = dims.map(childrenFirst);

  const values = new Float64Array(total);
  const published = new Uint8Array(total);
  for (let cell = 0; cell < total; cell++) {
    const nodes = coords(cell);
    published[cell] = nodes.every((node, k) => dims[k].published?.[node] ?? true) ? 1 : 0;
    if (nodes.every((node, k) => dims[k].children[node].length === 0)) {
      values[cell] = leafValue(nodes);
    }
  }
  const relations: Relation[] = [];
  dims.forEach((dim, k) => {
    // Every cell whose node in dimension k is `node`: offset + node * strides[k] for offsets
    // over the other dimensions.
    const others: number[] = [];
    for (let cell = 0; cell < total; cell++) {
      if (Math.floor(cell / strides[k]) % sizes[k] === 0) others.push(cell);
    }
    for (const node of orders[k]) {
      const children = dim.children[node];
      if (children.length === 0) continue;
      for (const base of others) {
        const t = base + node * strides[k];
        const parts = children.map((child) => base + child * strides[k]);
        values[t] = parts.reduce((s, p) => s + values[p], 0);
        relations.push({ total: t, parts });
      }
    }
  });
  const cells = Array.from(values, (value, cell) => ({ value, published: published[cell] === 1 }));
  return { cells, relations, index, strides };
}

/** Nodes of a forest, every node after its children; throws on a node with two parents or a cycle. */
function childrenFirst(dim: Dimension): number[] {
  const n = dim.children.length;
  const parents = new Int32Array(n);
  for (const children of dim.children) for (const c of children) parents[c]++;
  if (parents.some((p) => p > 1)) throw new Error("a hierarchy node has two parents");
  const order: number[] = [];
  const visit = (node: number) => {
    for (const c of dim.children[node]) visit(c);
    order.push(node);
  };
  for (let node = 0; node < n; node++) if (parents[node] === 0) visit(node);
  if (order.length !== n) throw new Error("a hierarchy has a cycle");
  return order;
}
