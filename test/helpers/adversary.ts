import type { Relation } from "../../src/modules/metrics/suppression";

/**
 * The adversary, independent of the module: exact Gauss-Jordan over the rationals (BigInt rows
 * scaled to integers) on every relation restricted to hidden cells, shown cells being constants.
 * A hidden cell is determined when some combination of relations isolates it: in reduced row
 * echelon form, its pivot row has no other entry.
 */
export function determined(relations: Relation[], hidden: boolean[]): Set<number> {
  const basis = new Map<number, Map<number, bigint>>(); // pivot column -> row, kept reduced
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
  const normal = (row: Map<number, bigint>) => {
    let g = 0n;
    for (const v of row.values()) g = gcd(g, v);
    for (const [k, v] of row) row.set(k, v / g);
    return row;
  };
  /** a * row - b * other, where b/a is other's multiple that clears column `col` of row. */
  const clear = (row: Map<number, bigint>, other: Map<number, bigint>, col: number) => {
    const a = other.get(col)!;
    const b = row.get(col)!;
    const out = new Map<number, bigint>();
    for (const [k, v] of row) out.set(k, a * v);
    for (const [k, v] of other) {
      const next = (out.get(k) ?? 0n) - b * v;
      if (next === 0n) out.delete(k);
      else out.set(k, next);
    }
    return normal(out);
  };
  for (const { total, parts } of relations) {
    let row = new Map<number, bigint>();
    for (const [cell, sign] of [[total, 1n] as const, ...parts.map((p) => [p, -1n] as const)]) {
      if (!hidden[cell]) continue;
      const next = (row.get(cell) ?? 0n) + sign;
      if (next === 0n) row.delete(cell);
      else row.set(cell, next);
    }
    for (const [col, other] of basis) if (row.has(col)) row = clear(row, other, col);
    if (row.size === 0) continue;
    const pivot = Math.min(...row.keys());
    for (const [col, other] of basis)
      if (other.has(pivot)) basis.set(col, clear(other, row, pivot));
    basis.set(pivot, row);
  }
  return new Set([...basis].filter(([, row]) => row.size === 1).map(([col]) => col));
}
