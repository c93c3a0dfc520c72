import type { Tx } from "../db/client";
import { rows } from "../db/client";
import { sql } from "drizzle-orm";
import { principalId, SUPERVISORS } from "./seed-officers";
import {
  lit,
  midnight,
  run,
  SeedRandom,
  textArray,
  written,
  type Progress,
  type SeedFrame,
} from "./seed-sql";

/** Penalties by severity (DISMISSAL is left out: a dismissed officer is seeded through the status). */
const PENALTIES = [
  "NO_ACTION",
  "TRAINING",
  "REMARK",
  "REPRIMAND",
  "SEVERE_REPRIMAND",
  "INCOMPLETE_SERVICE_COMPLIANCE",
  "DEMOTION_IN_POSITION",
  "DEMOTION_IN_RANK",
];
/** How long each is in force, in days; NO_ACTION never is. */
const IN_FORCE_DAYS = [0, 90, 180, 365, 365, 365, 730, 730];

/**
 * Disciplinary reviews for most sustained allegations of closed seeded complaints, opened after the
 * closure and as far along (decided, appealed, final) as the time since then allows, with the sanction
 * decided, sometimes reduced or overturned on appeal.
 */
export async function seedReviews(
  tx: Tx,
  frame: SeedFrame,
  report: Progress,
): Promise<{ reviews: number; sanctions: number }> {
  const random = new SeedRandom(frame.seed);
  const R = (salt: number) => random.r("key", salt);
  const NOW = midnight(frame.anchor);
  const supervisor = principalId(random, "SUPERVISOR", `1 + abs(key % ${SUPERVISORS})`);
  const status = `case when elapsed < 14 then ${random.weighted("r_status", [
    ["OPEN", 60],
    ["HEARING_SCHEDULED", 40],
  ])}
    when elapsed < 45 then ${random.weighted("r_status", [
      ["DECIDED", 70],
      ["APPEALED", 15],
      ["HEARING_SCHEDULED", 15],
    ])}
    else ${random.weighted("r_status", [
      ["FINAL", 80],
      ["APPEAL_DECIDED", 8],
      ["DECIDED", 7],
      ["APPEALED", 5],
    ])} end`;
  const severity = random.weighted(
    "r_penalty",
    [10, 15, 20, 25, 15, 8, 5, 2].map((weight, i) => [String(i), weight] as const),
  );
  await run(
    tx,
    `create temp table seed_review on commit drop as
     with a as (
       select a.id as allegation_id, a.officer_id, a.category, c.tracking_number, c.closed_at,
         hashtextextended(a.id::text, 0) as key
       from allegations a
       join seed_officer so on so.id = a.officer_id
       join complaints c on c.id = a.complaint_id
       where a.finding = 'SUSTAINED' and c.status = 'CLOSED'
     ), b as materialized (
       select a.*, ${R(1)} as r_take, ${R(2)} as r_open, ${R(3)} as r_status, ${R(4)} as r_span, ${R(5)} as r_penalty,
         ${R(6)} as r_appeal, ${R(7)} as r_outcome
       from a
     ), o as (
       select b.*, closed_at + make_interval(secs => (1 + r_open * 10) * 86400) as opened_at from b where r_take < 0.6
     ), e as (
       select o.*, extract(epoch from ${NOW} - opened_at) / 86400 as elapsed,
         least(${NOW} - opened_at, interval '100 days') * (0.7 + 0.3 * r_span) as span
       from o where opened_at < ${NOW}
     ), s as (
       select e.*, ${status} as status, ${severity}::int as severity from e
     ), d as (
       select s.*, status in ('DECIDED', 'APPEALED', 'APPEAL_DECIDED', 'FINAL') as decided,
         status in ('APPEALED', 'APPEAL_DECIDED') or (status = 'FINAL' and r_appeal < 0.3) as appealed,
         status = 'APPEAL_DECIDED' or (status = 'FINAL' and r_appeal < 0.3) as appeal_decided
       from s
     )
     select d.*, case when appeal_decided then case when severity < 2 and r_outcome >= 0.6 and r_outcome < 0.85 then 'UPHELD'
         else ${random.weighted("r_outcome", [
           ["UPHELD", 60],
           ["REDUCED", 25],
           ["OVERTURNED", 15],
         ])} end end as outcome
     from d`,
  );
  const penalties = textArray(PENALTIES);
  const inForce = `(array[${IN_FORCE_DAYS.join(",")}])`;
  const effective = `case when outcome = 'REDUCED' then severity - 1 else severity end`;
  const decidedOn = `((opened_at + span * 0.3) at time zone 'UTC')::date + 1`;
  const result = await run(
    tx,
    `insert into disciplinary_reviews (id, officer_id, status, version, summary, opened_by, opened_at, hearing_at,
        penalty, original_penalty, effective_from, effective_until, rationale, aggravating_factors, mitigating_factors,
        decided_at, decided_by, appeal_reason, appealed_at, appeal_outcome, appeal_decided_at, overturned, finalized_at)
      select ${random.id("review", "allegation_id")}, officer_id, status,
        1 + (status = 'HEARING_SCHEDULED' or (decided and r_span < 0.6))::int + decided::int + appealed::int
          + appeal_decided::int + (status = 'FINAL')::int,
        'Sustained ' || lower(replace(category, '_', ' ')) || ' allegation in complaint ' || tracking_number,
        ${supervisor}, opened_at,
        case when status = 'HEARING_SCHEDULED' then opened_at + span * 0.5 + interval '10 days'
          when decided and r_span < 0.6 then opened_at + span * 0.1 end,
        case when decided then (${penalties})[1 + ${effective}] end,
        case when outcome = 'REDUCED' then (${penalties})[1 + severity] end,
        case when decided then ${decidedOn} end,
        case when decided and ${effective} > 0 then ${decidedOn} + ${inForce}[1 + ${effective}] end,
        case when decided then ${lit("The sustained allegation warrants this measure given the officer's record")} end,
        case when decided and r_penalty > 0.7 then array[${lit("repeated conduct")}] else '{}'::text[] end,
        case when decided and r_penalty < 0.3 then array[${lit("first sustained allegation")}] else '{}'::text[] end,
        case when decided then opened_at + span * 0.3 end,
        case when decided then ${supervisor} end,
        case when appealed then ${lit("The officer disputes the finding")} end,
        case when appealed then opened_at + span * 0.4 end,
        outcome,
        case when appeal_decided then opened_at + span * 0.6 end,
        coalesce(outcome = 'OVERTURNED', false),
        case when status = 'FINAL' then opened_at + span * 0.8 end
      from seed_review order by opened_at, allegation_id`,
  );
  await run(
    tx,
    `insert into review_allegations (review_id, allegation_id)
     select ${random.id("review", "allegation_id")}, allegation_id from seed_review`,
  );
  const reviews = written(result);
  const [{ sanctions }] = await rows<{ sanctions: number }>(
    tx,
    sql`select count(*)::int as sanctions from seed_review where decided and severity > 0 and outcome is distinct from 'OVERTURNED'`,
  );
  report("reviews", reviews);
  return { reviews, sanctions };
}
