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
 *    relations restricted to hidden cells (shown cells are constants). Checked per connected
 *    component of hidden cells with sparse elimination over GF(PRIME); a hidden cell with value 1..4
 *    that is determined gets one more cell hidden in one of its relations (as in 2), then 2-4 repeat
 *    on the components that changed. Determined cells with value 0 or >= 5 are harmless.
 *
 * Limits: only exact disclosure is prevented. Interval disclosure is not: two hidden published
 * parts summing to 3 are each known to lie in 1..2. The lower-bound rule looks at one relation at a
 * time, not at combinations of relations.
 */

export interface CellSpec {
  /** True non-negative integer count. */
  value: number;
  /** False: never shown (e.g. a unit's own part, or a total nobody publishes). */
  published: boolean;
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
      const { value, published } = cells[c];
      if (!published || value === 0 || hidden[c]) continue;
      if (best < 0 || value < cells[best].value || (value === cells[best].value && c < best)) {
        best = c;
      }
    }
    if (best >= 0) return best;
    const t = relations[r].total;
    return cells[t].published && cells[t].value !== 0 && !hidden[t] ? t : -1;
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
    if (count === 1) return cells[lone].published || isSmall(cells[lone].value);
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
    if (!cells[c].published || isSmall(cells[c].value)) hide(c);
  }
  for (let r = 0; r < relations.length; r++) enqueue(r);

  // Stamps mark membership in the current set without clearing arrays between checks.
  const cellStamp = new Int32Array(n);
  const relationStamp = new Int32Array(relations.length);
  const local = new Int32Array(n);
  let stamp = 0;

  /** Hidden cells within `radius` relation hops of `from` (Infinity: their whole components). */
  const neighbourhood = (from: number[], radius: number): number[] => {
    stamp++;
    const out: number[] = [];
    for (const c of from) {
      if (cellStamp[c] === stamp) continue;
      cellStamp[c] = stamp;
      out.push(c);
    }
    for (let start = 0, hop = 0; hop < radius && start < out.length; hop++) {
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
   * determined[i] for the hidden cells S: is e_i in the span of the relations touching S, restricted
   * to S? Null vectors of that system, extended by 0, are null vectors of the full one, so "not
   * determined" is final; "determined" is exact once S is a union of components.
   */
  const determinedIn = (set: number[]): boolean[] => {
    stamp++;
    set.forEach((c, i) => {
      cellStamp[c] = stamp;
      local[c] = i;
    });
    const rows: Map<number, number>[] = [];
    for (const c of set) {
      for (const r of cellRelations[c]) {
        if (relationStamp[r] === stamp) continue;
        relationStamp[r] = stamp;
        const row = new Map<number, number>();
        members[r].forEach((m, k) => {
          if (cellStamp[m] !== stamp) return; // shown, or outside S (held at 0)
          row.set(local[m], ((row.get(local[m]) ?? 0) + (k === 0 ? 1 : PRIME - 1)) % PRIME);
        });
        for (const [m, v] of row) if (v === 0) row.delete(m);
        rows.push(row);
      }
    }
    return determinedColumns(set.length, rows);
  };

  /** Sound, not exact: true means x is not determined; false may be a too-small neighbourhood. */
  const freeNearby = (x: number, radii: number[]) =>
    radii.some((radius) => !determinedIn(neighbourhood([x], radius))[0]);

  const touched = new Uint8Array(relations.length);
  /**
   * Hides one more cell near each determined small cell, at most one per relation per round. The
   * candidates are rule 2's choices in x's relations, then outwards through its component (with
   * no shown non-zero member anywhere in it every right-hand side is 0, so x would be 0). The
   * first candidate that frees x in its neighbourhood wins, else the nearest: a complement in a
   * relation x's derivation does not use leaves x determined.
   */
  const fix = (pending: number[]) => {
    touched.fill(0);
    for (const x of pending) {
      if (cellRelations[x].some((r) => touched[r])) continue; // a neighbour's fix may free it
      const candidates: [number, number][] = [];
      stamp++;
      const queue = [x];
      cellStamp[x] = stamp;
      for (let i = 0; i < queue.length && candidates.length < 8; i++) {
        for (const r of cellRelations[queue[i]]) {
          if (relationStamp[r] === stamp) continue;
          relationStamp[r] = stamp;
          const extra = complementIn(r);
          if (extra >= 0 && !candidates.some(([, c]) => c === extra)) candidates.push([r, extra]);
          for (const c of members[r]) {
            if (hidden[c] && cellStamp[c] !== stamp) {
              cellStamp[c] = stamp;
              queue.push(c);
            }
          }
        }
      }
      if (candidates.length === 0) continue; // unreachable, see above
      const works = candidates.find(([, c]) => {
        hidden[c] = 1;
        const free = freeNearby(x, [1, 2]);
        hidden[c] = 0;
        return free;
      });
      const [r, c] = works ?? candidates[0];
      touched[r] = 1;
      hide(c);
    }
  };

  propagate();
  const all: number[] = [];
  for (let c = 0; c < n; c++) if (hidden[c]) all.push(c);
  // First audit: every component at once (elimination keeps components apart by itself).
  const first = determinedIn(all);
  let pending = all.filter((c, i) => first[i] && isSmall(cells[c].value));
  while (pending.length > 0) {
    fix(pending);
    propagate();
    // Hiding more only adds unknowns, so a cell found free stays free, and new hidden cells are
    // complements (>= 5): only the cells just found determined need a new look. Small
    // neighbourhoods usually show them free; what stays determined is checked on its components.
    const open = pending.filter((x) => !freeNearby(x, [1, 2, 3]));
    if (open.length === 0) break;
    const set = neighbourhood(open, Infinity);
    const determined = determinedIn(set);
    pending = set.filter((c, i) => determined[i] && isSmall(cells[c].value));
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
 * determined[j]: is unit vector e_j in the row space of `rows` (sparse, column -> residue)?
 * Forward elimination with a fewest-rows-first pivot column (column singletons cost no fill-in),
 * then back-substitution of two pseudo-random null vectors: e_j is in the row space exactly when
 * every null vector is 0 at j, and a random one is non-zero at a free j but with chance 1/PRIME.
 * So an error can only call a free cell determined (one more hidden cell), never the reverse.
 * The generator has a fixed seed, so the answer is deterministic.
 */
export function determinedColumns(columns: number, rows: Map<number, number>[]): boolean[] {
  const colRows: Set<number>[] = Array.from({ length: columns }, () => new Set());
  rows.forEach((row, i) => {
    for (const c of row.keys()) colRows[c].add(i);
  });
  const done = new Uint8Array(columns);
  const heap = new MinHeap();
  const SHIFT = 2 ** 24;
  for (let c = 0; c < columns; c++) heap.push(colRows[c].size * SHIFT + c);
  const pivots: { column: number; row: Map<number, number> }[] = [];
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
    for (const i of [...colRows[c]]) {
      const row = rows[i];
      const f = mulmod(row.get(c)!, inv);
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
    pivots.push({ column: c, row: prow });
  }
  const random = mulberry32(0x5e11);
  const nullVector = () => {
    const v = new Float64Array(columns);
    for (let c = 0; c < columns; c++) v[c] = 1 + Math.floor(random() * (PRIME - 1));
    for (let p = pivots.length - 1; p >= 0; p--) {
      const { column, row } = pivots[p];
      let sum = 0;
      for (const [k, a] of row) if (k !== column) sum = (sum + mulmod(a, v[k])) % PRIME;
      v[column] = mulmod(PRIME - sum, inverse(row.get(column)!)) % PRIME;
    }
    return v;
  };
  const [a, b] = [nullVector(), nullVector()];
  return Array.from({ length: columns }, (_, c) => a[c] === 0 && b[c] === 0);
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
): { cells: CellSpec[]; relations: Relation[]; index: (nodes: number[]) => number } {
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
  return { cells, relations, index };
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
