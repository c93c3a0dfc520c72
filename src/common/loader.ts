import DataLoader from "dataloader";

/** One result per key, in key order, as DataLoader requires. */
export function byKey<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): (R | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

/** Every key's rows, in key order; rows keep the order the query gave them. */
export function groupByKey<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

/**
 * A loader of one row per key whose rows are also handed to `also` (to prime another loader, or this one,
 * with the same rows under another key), so that a row found one way is not read again another way.
 */
export function primingLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
  also: (row: R) => void,
) {
  return new DataLoader<K, R | null>(async (keys) => {
    const found = await fetch(keys);
    for (const row of found) also(row);
    return byKey(keys, found, keyOf);
  });
}
