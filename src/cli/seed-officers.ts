import type { Tx } from "../db/client";
import { rows } from "../db/client";
import { sql } from "drizzle-orm";
import { FEMALE_FIRST, MALE_FIRST, SURNAMES } from "./seed-text";
import {
  dateLit,
  inBatches,
  lit,
  run,
  SeedRandom,
  textArray,
  type Progress,
  type SeedFrame,
} from "./seed-sql";

export const INVESTIGATORS = 40;
export const SUPERVISORS = 10;

/** The seeded staff principals: real roles, so cases can be assigned to them, but no token opens them. */
export const principalId = (
  random: SeedRandom,
  role: "INVESTIGATOR" | "SUPERVISOR",
  number: string,
) => random.id("principal", `'${role}:' || (${number})`);

export interface OfficerPool {
  districts: number;
  officers: number;
  /** Officers serving throughout the seeded period: the fallback when a random pick was not serving. */
  veterans: number;
}

/**
 * Districts under every region, staff principals, then officers with ranks, hiring dates, one transfer
 * for a quarter of them, and some who left (DISMISSED/RETIRED, with the status change on record and no
 * transfer after it). The plan stays in the temp table seed_officer for the complaints to pick from.
 */
export async function seedOfficers(
  tx: Tx,
  frame: SeedFrame,
  options: { officers: number; districtsPerRegion: number; batch: number },
  report: Progress,
): Promise<OfficerPool> {
  const random = new SeedRandom(frame.seed);
  const R = (salt: number) => random.r("n", salt);
  const { windowStart, anchor, days } = frame;
  const WS = dateLit(windowStart);
  const AN = dateLit(anchor);

  await run(
    tx,
    `insert into units (id, code, name, kind, parent_id, path)
     select ${random.id("unit", "d.code")}, d.code, d.name, 'DISTRICT', d.parent_id, d.path
     from (select r.code || '-D' || lpad(i::text, 2, '0') as code,
                  replace(r.name, 'Police Department of ', '') || ' district ' || i || ' police' as name,
                  r.id as parent_id, r.path || r.code || '-D' || lpad(i::text, 2, '0') || '/' as path
           from units r cross join generate_series(1, ${options.districtsPerRegion}) i where r.kind = 'REGION') d
     on conflict (code) do nothing`,
  );
  await run(
    tx,
    `create temp table seed_district on commit drop as
     select (row_number() over (order by u.code) - 1)::int as k, u.id
     from units r cross join generate_series(1, ${options.districtsPerRegion}) i
     join units u on u.code = r.code || '-D' || lpad(i::text, 2, '0')
     where r.kind = 'REGION'`,
  );
  await run(tx, `alter table seed_district add primary key (k)`);
  const [{ districts }] = await rows<{ districts: number }>(
    tx,
    sql`select count(*)::int as districts from seed_district`,
  );
  report("districts", districts);

  await run(
    tx,
    `insert into principals (id, name, role, token_hash, expires_at, activated_at)
     select p.id, p.name, p.role, 'seeded principal, no token: ' || p.id, now() + interval '365 days', now()
     from (select ${principalId(random, "INVESTIGATOR", "i")} as id, 'Demo investigator ' || lpad(i::text, 2, '0') as name, 'INVESTIGATOR' as role
           from generate_series(1, ${INVESTIGATORS}) i
           union all
           select ${principalId(random, "SUPERVISOR", "i")}, 'Demo supervisor ' || lpad(i::text, 2, '0'), 'SUPERVISOR'
           from generate_series(1, ${SUPERVISORS}) i) p`,
  );

  // The first ten officers are always serving veterans, so even a tiny seed has someone to complain about.
  const hired = `case when n <= 10 or r_hire < 0.85
      then date '1995-01-01' + floor(least(r_hire / 0.85, 0.999) * (${WS} - 20 - date '1995-01-01'))::int
      else ${WS} + floor((r_hire - 0.85) / 0.15 * ${days - 90})::int end`;
  const status = `case when n <= 10 then 'ACTIVE' else ${random.weighted("r_status", [
    ["DISMISSED", 4],
    ["RETIRED", 4],
    ["SUSPENDED", 1],
    ["ON_LEAVE", 1],
    ["ACTIVE", 90],
  ])} end`;
  const moveFrom = `greatest(hired + 180, ${AN} - 1825)`;
  const moveUntil = `coalesce(separated, ${AN}) - 30`;
  await run(
    tx,
    `create temp table seed_officer on commit drop as
     with b as materialized (
       select n, ${R(1)} as r_hire, ${R(2)} as r_status, ${R(3)} as r_separated, ${R(4)} as r_move, ${R(5)} as r_moved,
              ${R(6)} as r_unit1, ${R(7)} as r_unit2
       from generate_series(1, ${options.officers}) n
     ), h as (
       select b.*, ${hired} as hired, ${status} as status from b
     ), s as (
       select h.*, case when status in ('DISMISSED', 'RETIRED') then greatest(hired + 60, ${WS})
         + floor(r_separated * (${AN} - 1 - greatest(hired + 60, ${WS})))::int end as separated
       from h
     )
     select s.n, ${random.orderedId("s.n", 950)} as id, s.hired, s.status, s.separated,
       case when s.r_move < 0.25 and ${moveUntil} > ${moveFrom}
         then ${moveFrom} + floor(s.r_moved * (${moveUntil} - ${moveFrom}))::int end as transferred,
       d1.id as unit1, d2.id as unit2
     from s
     join seed_district d1 on d1.k = floor(s.r_unit1 * ${districts})::int
     join seed_district d2 on d2.k = (floor(s.r_unit1 * ${districts})::int + 1 + floor(s.r_unit2 * ${districts - 1})::int) % ${districts}`,
  );
  await run(tx, `alter table seed_officer add primary key (n)`);
  await run(tx, `create index on seed_officer (id)`);
  await run(
    tx,
    `create temp table seed_veteran on commit drop as
     select (row_number() over (order by n) - 1)::int as i, n from seed_officer
     where hired < ${WS} - 15 and separated is null`,
  );
  await run(tx, `alter table seed_veteran add primary key (i)`);
  const [{ veterans }] = await rows<{ veterans: number }>(
    tx,
    sql`select count(*)::int as veterans from seed_veteran`,
  );

  const ranks = (
    await rows<{ code: string }>(tx, sql`select code from ranks order by seniority`)
  ).map((r) => r.code);
  const male = `${R(20)} < 0.8`;
  const fullName = `case when ${male}
      then ${random.pick(R(21), MALE_FIRST)} || ' ' || ${random.pick(R(22), SURNAMES)}
      else ${random.pick(R(21), FEMALE_FIRST)} || ' ' || ${random.pick(R(22), SURNAMES)} || 'a' end`;
  // Junior ranks are far more common than senior ones; generals are not seeded.
  const rank = `(${textArray(ranks)})[1 + least(10, floor(power(${R(23)}, 2.5) * 11)::int)]`;
  await inBatches(options.officers, options.batch, async (lo, hi) => {
    await run(
      tx,
      `insert into officers (id, badge_number, full_name, rank, status, hired_at)
       select id, 'DEMO-' || lpad(n::text, 7, '0'), ${fullName}, ${rank}, status, hired
       from seed_officer where n between ${lo} and ${hi} order by n`,
    );
    await run(
      tx,
      `insert into officer_assignments (id, officer_id, unit_id, from_date, to_date)
       select ${random.orderedId("n * 2", 960)}, id, unit1, hired, transferred
       from seed_officer where n between ${lo} and ${hi}
       union all
       select ${random.orderedId("n * 2 + 1", 960)}, id, unit2, transferred, null
       from seed_officer where n between ${lo} and ${hi} and transferred is not null`,
    );
    report("officers", hi, options.officers);
  });

  const changedOn = `case when separated is not null then separated
    else greatest(hired + 1, ${AN} - 1 - floor(${R(30)} * 200)::int) end`;
  await run(
    tx,
    `insert into officer_status_changes (id, officer_id, from_status, to_status, reason, changed_at)
     select ${random.id("status-change", "n")}, id, 'ACTIVE', status,
       case status when 'DISMISSED' then ${lit("Dismissed after disciplinary proceedings")}
         when 'RETIRED' then ${lit("Retired on length of service")}
         when 'SUSPENDED' then ${lit("Suspended pending a criminal investigation")}
         else ${lit("Long-term leave")} end,
       ((${changedOn}) + time '05:00') at time zone 'UTC'
     from seed_officer where status <> 'ACTIVE' order by n`,
  );
  return { districts, officers: options.officers, veterans };
}
