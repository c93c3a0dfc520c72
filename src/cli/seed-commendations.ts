import type { Tx } from "../db/client";
import { principalId, SUPERVISORS, type OfficerPool } from "./seed-officers";
import type { TextPools } from "./seed-text";
import {
  dateLit,
  inBatches,
  lit,
  midnight,
  officerServingOn,
  SeedRandom,
  unitOn,
  type Progress,
  type SeedFrame,
  advanceCounters,
  position,
  registeredAt,
  seedYears,
  run,
  written,
} from "./seed-sql";

/**
 * Commendations over the seeded period: citizens' compliments (SUBMITTED, then VERIFIED or REJECTED by
 * a supervisor; a few name no officer and can only be rejected or wait) and supervisors' own
 * commendations and awards, VERIFIED on entry. Each counts for the officer's unit on the day.
 */
export async function seedCommendations(
  tx: Tx,
  frame: SeedFrame,
  pool: OfficerPool,
  text: TextPools,
  options: { commendations: number; batch: number },
  report: Progress,
): Promise<number> {
  const total = options.commendations;
  if (!total) return 0;
  const random = new SeedRandom(frame.seed);
  const R = (salt: number) => random.r("k", salt);
  const pos = position(random, 501, total, frame);
  await seedYears(tx, "seed_commendation_year", "CMD", pos, total, frame);
  const NOW = midnight(frame.anchor);
  const supervisor = principalId(random, "SUPERVISOR", `1 + k % ${SUPERVISORS}`);
  const type = random.weighted(R(502), [
    ["CITIZEN_COMPLIMENT", 70],
    ["SUPERVISOR_COMMENDATION", 15],
    ["COMMUNITY_SERVICE", 7],
    ["AWARD", 5],
    ["LIFE_SAVING", 3],
  ]);
  const citizenStatus = `case when age < 14 then 'SUBMITTED'
    when not identified then ${random.weighted(R(505), [
      ["REJECTED", 40],
      ["SUBMITTED", 60],
    ])}
    else ${random.weighted(R(505), [
      ["VERIFIED", 80],
      ["REJECTED", 10],
      ["SUBMITTED", 10],
    ])} end`;
  let seeded = 0;
  await inBatches(total, options.batch, async (lo, hi) => {
    const result = await run(
      tx,
      `insert into commendations (id, tracking_number, type, status, officer_id, officer_description, unit_id, channel,
          occurred_at, narrative_sealed, submitter_name_sealed, submitter_email_sealed, submitter_phone_sealed, registered_at,
          recorded_by, reviewed_by, reviewed_at, review_note)
        with t as (
          select k, ${dateLit(frame.windowStart)} + floor(${pos("k")})::int as reg_day, ${registeredAt(frame, pos("k"))} as registered_at,
            ${type} as type, ${R(503)} < 0.95 as named
          from generate_series(${lo}, ${hi}) k
        ), p as (
          select t.*, ${dateLit(frame.windowStart)} + floor(${pos("k")})::int - floor(power(${R(504)}, 2) * 20)::int as occurred_day,
            ${dateLit(frame.anchor)} - t.reg_day as age
          from t
        ), q as (
          select p.*, o.id as officer_id, ${unitOn("p.occurred_day")} as unit_id,
            (p.named or p.type <> 'CITIZEN_COMPLIMENT') and o.id is not null as identified, y.year, y.first_k, y.base
          from p
          join seed_commendation_year y on y.year = extract(year from p.reg_day)::int
          ${officerServingOn(random, "p.k", "p.occurred_day", pool, 510)}
        ), s as (
          select q.*, case when type <> 'CITIZEN_COMPLIMENT' then 'VERIFIED' else ${citizenStatus} end as status from q
        )
        select ${random.orderedId("k", 910)}, 'CMD-' || year || '-' || lpad((k - first_k + 1 + base)::text, 6, '0'), type, status,
          case when identified then officer_id end,
          case when not identified then ${lit("the officer on duty at the station, name not known")} end,
          case when identified then unit_id end,
          case when type = 'CITIZEN_COMPLIMENT' then ${random.weighted(R(506), [
            ["WEB_FORM", 40],
            ["EGOV", 25],
            ["TELEGRAM_BOT", 15],
            ["APP_102", 10],
            ["EOTINISH", 10],
          ])} end,
          least((occurred_day + make_interval(secs => 1800 + ${R(507)} * 57600)) at time zone 'UTC', registered_at - interval '30 minutes'),
          ${random.pick(R(508), text.commendations)},
          case when type = 'CITIZEN_COMPLIMENT' and ${R(509)} >= 0.3 then ${random.pick(R(511), text.names)} end,
          case when type = 'CITIZEN_COMPLIMENT' and ${R(509)} >= 0.3 and ${R(512)} < 0.6 then ${random.pick(R(512), text.emails)} end,
          case when type = 'CITIZEN_COMPLIMENT' and ${R(509)} >= 0.3 and ${R(513)} < 0.4 then ${random.pick(R(513), text.phones)} end,
          registered_at,
          case when type <> 'CITIZEN_COMPLIMENT' then ${supervisor} end,
          case when status <> 'SUBMITTED' then ${supervisor} end,
          case when type <> 'CITIZEN_COMPLIMENT' then registered_at
            when status <> 'SUBMITTED' then registered_at + least(make_interval(secs => ${R(514)} * 14 * 86400), (${NOW} - registered_at) * 0.9) end,
          case when status = 'REJECTED' then ${lit("Could not be confirmed with the unit")} end
        from s order by k`,
    );
    seeded += written(result);
    report("commendations", hi, total);
  });
  await advanceCounters(tx, "seed_commendation_year", "CMD");
  return seeded;
}
