import { sql } from "drizzle-orm";
import { rows, type Queryable, type Tx } from "../db/client";

/**
 * Building blocks of the seed's generated SQL. Rows are made by the database itself
 * (INSERT ... SELECT over generate_series), so every value written into the statement text is a
 * number, a date or a string this program made: `lit` still escapes, out of habit.
 */
export const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;

export const textArray = (values: readonly string[]) =>
  `array[${values.map(lit).join(",")}]::text[]`;

/** Runs one generated statement; SEED_TRACE=1 prints each one's time to stderr, to see where a seed's time goes. */
export const run = async (db: Queryable, text: string) => {
  const started = Date.now();
  const result = await db.execute(sql.raw(text));
  if (process.env.SEED_TRACE) {
    process.stderr.write(
      `  ${Date.now() - started} ms: ${text.replace(/\s+/g, " ").slice(0, 100)}\n`,
    );
  }
  return result;
};

/** Rows an INSERT wrote, whichever driver ran it (postgres.js: count; PGlite: affectedRows). */
export const written = (result: unknown) => {
  const { count, affectedRows } = result as { count?: number | null; affectedRows?: number };
  return Number(count ?? affectedRows ?? 0);
};

/** The parameters every generated statement shares. */
export interface SeedFrame {
  seed: number;
  /** Start of the seeded period (3 years before `anchor`), a date "YYYY-MM-DD". */
  windowStart: string;
  /** Today (UTC), the end of the seeded period: everything seeded happened before it. */
  anchor: string;
  /** Days from windowStart to anchor. */
  days: number;
}

/**
 * Pseudo-random numbers in SQL: hashint8extended(key, seed) is the same on PostgreSQL and PGlite,
 * so `--seed S` gives the same rows everywhere. Each column draws with its own salt.
 */
export class SeedRandom {
  constructor(readonly seed: number) {}

  /** Uniform in [0, 1) for this key and salt. */
  r(key: string, salt: number): string {
    return `((hashint8extended((${key})::int8, ${this.seed * 1000 + salt}) & 2147483647)::float8 / 2147483648)`;
  }

  /** A value chosen by the uniform number `r` (an SQL expression) from cumulative weights. */
  weighted(r: string, choices: readonly (readonly [string, number])[]): string {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let acc = 0;
    const whens = choices.slice(0, -1).map(([value, weight]) => {
      acc += weight;
      return `when ${r} < ${(acc / total).toFixed(6)} then ${lit(value)}`;
    });
    return `(case ${whens.join(" ")} else ${lit(choices[choices.length - 1][0])} end)`;
  }

  /** One of `values`, uniformly, by the uniform number `r`. */
  pick(r: string, values: readonly string[]): string {
    return `(${textArray(values)})[1 + floor(${r} * ${values.length})::int]`;
  }

  /** A stable uuid for the n-th thing of a kind, so ids are the same on every run with this seed. */
  id(kind: string, key: string): string {
    return `md5(${lit(`senim-seed:${this.seed}:${kind}:`)} || (${key})::text)::uuid`;
  }

  /**
   * A stable uuid that rises with `key` (a whole number): the key in the first 48 bits, then the kind and
   * the seed. Rows inserted in key order append to the primary-key index instead of touching a random page
   * of it per row, which at millions of rows is most of the cost of an insert.
   */
  orderedId(key: string, kind: number): string {
    const tail = `8${kind.toString(16).padStart(3, "0").slice(-3)}8${this.seed.toString(16).padStart(15, "0").slice(-15)}`;
    return `(lpad(to_hex((${key})::int8), 12, '0') || '${tail}')::uuid`;
  }
}

/** `date 'YYYY-MM-DD'`, and the same day's midnight as a UTC timestamp. */
export const dateLit = (day: string) => `date ${lit(day)}`;
export const midnight = (day: string) => `timestamptz ${lit(`${day} 00:00:00+00`)}`;

/**
 * An officer serving on `day` (an SQL date), for a complaint or commendation keyed by `key`: a random
 * officer (a few "frequent" ones draw a third of everything, as in real complaint data), or, when that
 * one was not serving that day, one who served throughout. Joins `o` (seed_officer) into the query.
 */
export function officerServingOn(
  random: SeedRandom,
  key: string,
  day: string,
  pool: { officers: number; veterans: number },
  salt: number,
) {
  const { officers, veterans } = pool;
  const frequent = Math.floor(officers / 20);
  const first = frequent
    ? `case when ${random.r(key, salt)} < 0.35 then 20 * floor(${random.r(key, salt + 1)} * ${frequent})::int + 7
        else 1 + floor(${random.r(key, salt + 1)} * ${officers})::int end`
    : `1 + floor(${random.r(key, salt + 1)} * ${officers})::int`;
  return `left join seed_officer o1 on o1.n = (${first})
    left join seed_veteran v on v.i = floor(${random.r(key, salt + 2)} * ${veterans})::int
    left join seed_officer o on o.n = case
      when o1.hired <= ${day} and (o1.separated is null or ${day} < o1.separated) then o1.n else v.n end`;
}

/** The unit officer `o` served in on `day`: assignments are [from, to), with at most one transfer. */
export const unitOn = (day: string) =>
  `case when o.transferred is null or ${day} < o.transferred then o.unit1 else o.unit2 end`;

/** Registration position of row k among `total` over the period, in days from its start. */
export const position =
  (random: SeedRandom, salt: number, total: number, frame: SeedFrame) => (key: string) =>
    `((${key} - 0.9 + 0.8 * ${random.r(key, salt)}) * ${frame.days} / ${total})`;

/**
 * Times of day between 01:00 and 17:30 UTC (06:00-23:30 in Almaty): the UTC date is then the local date,
 * which the deadline, the tracking year and the officer's unit on the day are all taken in.
 */
export const registeredAt = (frame: SeedFrame, pos: string) =>
  `(${midnight(frame.windowStart)} + make_interval(secs => floor(${pos}) * 86400 + 3600 + (${pos} - floor(${pos})) * 59400))`;

/**
 * Registration times rise with the row number (evenly over the period, jittered), so tracking numbers
 * are the row number minus the year's first row, after whatever the year's counter already held.
 * The year's counter row is locked from here to commit: a submission meanwhile waits, and never collides.
 */
export async function seedYears(
  tx: Tx,
  table: string,
  scope: string,
  pos: (key: string) => string,
  total: number,
  frame: SeedFrame,
) {
  await run(
    tx,
    `create temp table ${table} on commit drop as
     select extract(year from ${dateLit(frame.windowStart)} + floor(${pos("k")})::int)::int as year, min(k) as first_k, count(*)::int as n, 0 as base
     from generate_series(1, ${total}) k group by 1`,
  );
  const years = await rows<{ year: number; n: number }>(
    tx,
    sql.raw(`select year, n from ${table} order by year`),
  );
  for (const { year, n } of years) {
    const [{ last }] = await rows<{ last: number }>(
      tx,
      sql`insert into tracking_counters (scope, year, last) values (${scope}, ${year}, 0)
          on conflict (scope, year) do update set last = tracking_counters.last returning last`,
    );
    if (last + n > 999_999)
      throw new Error(`${scope}-${year} would pass 999999 tracking numbers: seed fewer rows`);
    await run(tx, `update ${table} set base = ${last} where year = ${year}`);
  }
  await run(tx, `alter table ${table} add primary key (year)`);
}

/** After the rows are in: each year's counter ends at its last number, so the next submission follows on. */
export async function advanceCounters(tx: Tx, table: string, scope: string) {
  await run(
    tx,
    `update tracking_counters t set last = y.base + y.n from ${table} y where t.scope = ${lit(scope)} and t.year = y.year`,
  );
}

/** Writes "seed: <what> <done>/<total> (<s> s)" to stderr. */
export function progress(started: number) {
  return (what: string, done: number, total?: number) => {
    const count = total === undefined ? `${done}` : `${done}/${total}`;
    process.stderr.write(
      `seed: ${what} ${count} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  };
}
export type Progress = ReturnType<typeof progress>;

/** Runs `statement(lo, hi)` over 1..total in batches; bulk triggers fire once per statement. */
export async function inBatches(
  total: number,
  size: number,
  statement: (lo: number, hi: number) => Promise<unknown>,
) {
  for (let lo = 1; lo <= total; lo += size) await statement(lo, Math.min(total, lo + size - 1));
}

/**
 * Runs `work` with the foreign keys and secondary indexes of `tables` dropped, then puts them back exactly
 * as they were (same names, same definitions): indexes built once from sorted rows, and keys checked by one
 * join each, instead of both maintained row by row, which was most of the cost of a bulk insert. Inside the
 * caller's transaction: a failure restores all.
 */
export async function withoutKeysAndIndexes<T>(
  tx: Queryable,
  tables: readonly string[],
  report: Progress,
  work: () => Promise<T>,
): Promise<T> {
  const relations = tables.map((t) => `${lit(t)}::regclass`).join(", ");
  const keys = await rows<{ table: string; name: string; definition: string }>(
    tx,
    sql.raw(`select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
     from pg_constraint where contype = 'f' and conrelid in (${relations}) order by 1, 2`),
  );
  const indexes = await rows<{ name: string; definition: string }>(
    tx,
    sql.raw(`select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition from pg_index i
     where indrelid in (${relations}) and not indisunique
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid) order by 1`),
  );
  const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
  for (const key of keys)
    await run(tx, `alter table ${key.table} drop constraint ${quoted(key.name)}`);
  for (const index of indexes) await run(tx, `drop index ${index.name}`);
  const result = await work();
  for (const index of indexes) await run(tx, index.definition);
  report("indexes built", indexes.length);
  for (const key of keys)
    await run(tx, `alter table ${key.table} add constraint ${quoted(key.name)} ${key.definition}`);
  report("foreign keys checked", keys.length);
  return result;
}

/** Runs `work` with the triggers named `prefix`... off (inside the caller's transaction, so a failure restores them). */
export async function withTriggersOff<T>(
  tx: Queryable,
  prefix: string,
  work: () => Promise<T>,
): Promise<T> {
  const triggers = await rows<{ table: string; name: string }>(
    tx,
    sql`select tgrelid::regclass::text as table, tgname as name from pg_trigger
     where starts_with(tgname, ${prefix}) and not tgisinternal order by 1, 2`,
  );
  const toggle = async (state: "disable" | "enable") => {
    for (const t of triggers) await run(tx, `alter table ${t.table} ${state} trigger "${t.name}"`);
  };
  await toggle("disable");
  const result = await work();
  await toggle("enable");
  return result;
}

/**
 * Runs `work` with the roll-up triggers off, then computes every roll-up once from the records
 * (metrics_rebuild): per-statement deltas were two thirds of a national seed's time.
 */
export async function withRollupsRebuilt<T>(
  tx: Queryable,
  report: Progress,
  work: () => Promise<T>,
): Promise<T> {
  const result = await withTriggersOff(tx, "metrics_", work);
  await run(tx, "select metrics_rebuild()");
  report("roll-ups rebuilt", 1);
  return result;
}
