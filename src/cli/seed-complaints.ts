import { sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import { CATEGORIES, publicHolidays } from "../db/schema";
import { addDays } from "../common/dates";
import { addWorkingDays } from "../common/working-days";
import { publicMessages, type Language } from "../modules/complaint/complaint.messages";
import { RESPONSE_WORKING_DAYS } from "../modules/complaint/deadline.service";
import { INVESTIGATORS, principalId, SUPERVISORS, type OfficerPool } from "./seed-officers";
import { PLACES, RATIONALES, type TextPools } from "./seed-text";
import {
  dateLit,
  inBatches,
  lit,
  midnight,
  officerServingOn,
  run,
  SeedRandom,
  textArray,
  unitOn,
  type Progress,
  type SeedFrame,
  written,
  advanceCounters,
  position,
  registeredAt,
  seedYears,
} from "./seed-sql";

const LANGUAGES: Language[] = ["KK", "RU", "EN"];

/** Category shares, roughly as internal-affairs reports them: rudeness and inaction lead. */
const CATEGORY_WEIGHTS: Record<(typeof CATEGORIES)[number], number> = {
  DISCOURTESY: 20,
  LACK_OF_SERVICE: 18,
  ABUSE_OF_AUTHORITY: 12,
  OFFENSIVE_LANGUAGE: 8,
  FORCE: 8,
  UNTRUTHFUL_STATEMENT: 6,
  CORRUPTION: 6,
  CYBER_FRAUD_HANDLING: 5,
  DOMESTIC_VIOLENCE_HANDLING: 5,
  OTHER: 4,
  DISCRIMINATION: 3,
  CRIMINAL_CONDUCT: 3,
  MINORS_RIGHTS: 2,
};

const FINDING_SHARES = [
  ["SUSTAINED", 15],
  ["NOT_SUSTAINED", 38],
  ["EXONERATED", 15],
  ["UNFOUNDED", 25],
  ["POLICY_FAILURE", 7],
] as const;

/**
 * Per registration day and language: the deadline (15 working days over the holidays table, exact to
 * the day) and the public messages the API would write, in the words of the API's message functions.
 */
async function seedDays(tx: Tx, frame: SeedFrame) {
  const holidays = new Set(
    (await tx.select({ day: publicHolidays.day }).from(publicHolidays)).map((h) => h.day),
  );
  const mark = "\u0000";
  const messages = LANGUAGES.map((lang) => ({
    lang,
    registered: (at: Date) => publicMessages.registered(lang, mark, at),
    extended: (at: Date) => publicMessages.extended(lang, at),
  }));
  const days: object[] = [];
  for (
    let day = addDays(frame.windowStart, -1);
    day <= addDays(frame.anchor, 70);
    day = addDays(day, 1)
  ) {
    const due = addWorkingDays(day, RESPONSE_WORKING_DAYS, holidays);
    const dueDays = (Date.parse(due) - Date.parse(day)) / 86_400_000;
    for (const { lang, registered, extended } of messages) {
      // 06:00 UTC is the same calendar day in Asia/Almaty, where the messages are dated.
      const [prefix, suffix] = registered(new Date(`${due}T06:00:00Z`)).split(mark);
      days.push({
        day,
        lang,
        due_days: dueDays,
        reg_prefix: prefix,
        reg_suffix: suffix,
        ext_msg: extended(new Date(`${day}T06:00:00Z`)),
      });
    }
  }
  await tx.execute(sql`create temp table seed_days on commit drop as
    select * from jsonb_to_recordset(${JSON.stringify(days)}::jsonb)
      as x(day date, lang text, due_days int, reg_prefix text, reg_suffix text, ext_msg text)`);
  await run(tx, `alter table seed_days add primary key (day, lang)`);
}

export interface ComplaintsSeeded {
  complaints: number;
  allegations: number;
  events: number;
}

/**
 * Complaints over the seeded period, with 1-3 allegations in distinct categories against the officer on
 * the incident's day (or an unidentified one), statuses by age across the workflow, closed ones with
 * findings or closure reasons, deadline extensions, feedback, and the timeline events of each step.
 */
export async function seedComplaints(
  tx: Tx,
  frame: SeedFrame,
  pool: OfficerPool,
  text: TextPools,
  options: { complaints: number; batch: number },
  report: Progress,
): Promise<ComplaintsSeeded> {
  const total = options.complaints;
  const random = new SeedRandom(frame.seed);
  const R = (salt: number) => random.r("c", salt);
  const pos = position(random, 1, total, frame);
  await seedDays(tx, frame);
  await seedYears(tx, "seed_year", "SNM", pos, total, frame);

  const AN = dateLit(frame.anchor);
  const NOW = midnight(frame.anchor);
  const investigator = principalId(
    random,
    "INVESTIGATOR",
    `1 + floor(r_assignee * ${INVESTIGATORS})::int`,
  );
  const supervisor = principalId(random, "SUPERVISOR", `1 + c % ${SUPERVISORS}`);
  const categories = Object.entries(CATEGORY_WEIGHTS);
  const categoryIndex = random.weighted(
    "r_category",
    categories.map(([category, weight]) => [
      String(CATEGORIES.indexOf(category as (typeof CATEGORIES)[number])),
      weight,
    ]),
  );
  const channel = random.weighted("r_channel", [
    ["WEB_FORM", 25],
    ["EOTINISH", 20],
    ["EGOV", 15],
    ["HOTLINE_102", 10],
    ["APP_102", 8],
    ["CALL_CENTER_1414", 8],
    ["TELEGRAM_BOT", 5],
    ["IN_PERSON", 5],
    ["MAIL", 2],
    ["INTERNAL_REFERRAL", 2],
  ]);
  const status = `case
    when age > 90 then ${random.weighted("r_status", [
      ["CLOSED", 93],
      ["PENDING_REVIEW", 3],
      ["UNDER_INVESTIGATION", 2],
      ["REOPENED", 1],
      ["ASSIGNED", 1],
    ])}
    when age > 30 then ${random.weighted("r_status", [
      ["CLOSED", 60],
      ["PENDING_REVIEW", 15],
      ["UNDER_INVESTIGATION", 15],
      ["ASSIGNED", 5],
      ["REGISTERED", 3],
      ["REOPENED", 2],
    ])}
    else ${random.weighted("r_status", [
      ["REGISTERED", 25],
      ["ASSIGNED", 25],
      ["UNDER_INVESTIGATION", 30],
      ["PENDING_REVIEW", 10],
      ["CLOSED", 10],
    ])} end`;
  const narrative = `case language when 'KK' then ${random.pick("r_narrative", text.narratives.KK)}
    when 'EN' then ${random.pick("r_narrative", text.narratives.EN)} else ${random.pick("r_narrative", text.narratives.RU)} end`;
  const accessCode = `upper(substr(md5(${lit(`senim-seed:${frame.seed}:access:`)} || c), 1, 16))`;

  const randoms = [
    "delay",
    "incident_time",
    "unidentified",
    "district",
    "status",
    "early",
    "close",
    "extend",
    "extend_days",
    "feedback",
    "rating",
    "feedback_time",
    "comment",
    "channel",
    "language",
    "anonymous",
    "complainant_type",
    "email",
    "phone",
    "narrative",
    "name",
    "place",
    "assignee",
    "allegations",
    "category",
    "offset2",
    "offset3",
  ];
  const draws = randoms.map((name, i) => `${R(i + 2)} as r_${name}`).join(", ");

  // One statement per step and batch: the plan of the batch first, then each table from it.
  const plan = (lo: number, hi: number) => `create temp table seed_batch on commit drop as
    with b as materialized (
      select c, ${pos("c")} as pos, ${draws} from generate_series(${lo}, ${hi}) c
    ), t as materialized (
      select b.*, ${dateLit(frame.windowStart)} + floor(pos)::int as reg_day, ${registeredAt(frame, "pos")} as registered_at,
        ${dateLit(frame.windowStart)} + floor(pos)::int - floor(power(r_delay, 3) * 15)::int as incident_day,
        ${random.weighted("r_language", [
          ["RU", 60],
          ["KK", 35],
          ["EN", 5],
        ])} as language, ${channel} as channel,
        ${AN} - (${dateLit(frame.windowStart)} + floor(pos)::int) as age
      from b
    ), p as materialized (
      select t.*, o.id as officer_id, o.separated as officer_separated, d.id as district_id,
        r_unidentified >= 0.25 and o.id is not null as identified,
        ${unitOn("t.incident_day")} as officer_unit, ${status} as status,
        y.year, y.first_k, y.base, sd.due_days, sd.reg_prefix, sd.reg_suffix
      from t
      join seed_year y on y.year = extract(year from t.reg_day)::int
      join seed_days sd on sd.day = t.reg_day and sd.lang = t.language
      ${officerServingOn(random, "t.c", "t.incident_day", pool, 60)}
      left join seed_district d on d.k = floor(t.r_district * ${pool.districts})::int
    ), q as materialized (
      select p.*, case when status in ('CLOSED', 'REOPENED') then registered_at
          + least(make_interval(secs => (3 + power(r_close, 1.3) * 50) * 86400), (${NOW} - registered_at) * 0.9) end as closed_time,
        registered_at + make_interval(days => due_days - 2) as extended_at
      from p
    ), s as (
      select q.*, coalesce(closed_time, ${NOW}) - registered_at as span,
        r_extend < 0.06 and status <> 'REGISTERED' and extended_at < coalesce(closed_time, ${NOW}) as extended
      from q
    )
    select c, ${random.orderedId("c", 920)} as id,
      'SNM-' || year || '-' || lpad((c - first_k + 1 + base)::text, 6, '0') as tracking_number,
      status, channel, language, registered_at, reg_day, span, identified, officer_separated,
      case when identified then officer_id end as officer_id,
      case when identified then officer_unit else district_id end as unit_id,
      least((incident_day + make_interval(secs => 1800 + r_incident_time * 57600)) at time zone 'UTC',
            registered_at - interval '30 minutes') as incident_at,
      case when r_place < 0.6 then ${random.pick("r_place", PLACES)} end as incident_place,
      ${narrative} as narrative_sealed,
      channel <> 'INTERNAL_REFERRAL' and r_anonymous < 0.2 as anonymous,
      registered_at + make_interval(days => due_days) as response_due_at,
      case when extended then registered_at + make_interval(days => 38 + floor(r_extend_days * 21)::int) end as extended_to,
      case when extended then reg_day + 38 + floor(r_extend_days * 21)::int end as extended_day,
      case when extended then extended_at end as extended_at,
      closed_time, case when status = 'CLOSED' then closed_time end as closed_at,
      status in ('CLOSED', 'REOPENED') and r_early < 0.2 as early,
      case when status <> 'REGISTERED' then ${investigator} end as assignee_id,
      'Demo investigator ' || lpad((1 + floor(r_assignee * ${INVESTIGATORS})::int)::text, 2, '0') as assignee_name,
      case when channel in ('HOTLINE_102', 'CALL_CENTER_1414', 'IN_PERSON', 'MAIL', 'INTERNAL_REFERRAL') then ${investigator} end as registered_by,
      ${supervisor} as supervisor_id,
      case when status = 'CLOSED' and r_feedback < 0.25 then closed_time
        + least(make_interval(secs => r_feedback_time * 5 * 86400), (${NOW} - closed_time) * 0.5) end as feedback_at,
      r_rating, r_comment, r_complainant_type, r_name, r_email, r_phone,
      case when r_allegations < 0.6 then 1 when r_allegations < 0.88 then 2 else 3 end as allegation_count,
      ${categoryIndex}::int as category0, 1 + floor(r_offset2 * 12)::int as offset2,
      1 + (floor(r_offset2 * 12)::int + 1 + floor(r_offset3 * 11)::int) % 12 as offset3,
      reg_prefix, reg_suffix
    from s`;

  const complaintsInsert = `insert into complaints (id, tracking_number, status, channel, language, incident_at, incident_place,
      unit_id, narrative_sealed, complainant_type, complainant_name_sealed, complainant_email_sealed, complainant_phone_sealed,
      anonymous, access_code_hash, registered_at, response_due_at, extended_to, closed_at, assignee_id, registered_by, version,
      feedback_rating, feedback_comment_sealed, feedback_at)
    select id, tracking_number, status, channel, language, incident_at, incident_place, unit_id, narrative_sealed,
      case when anonymous then null when channel = 'INTERNAL_REFERRAL' then 'INTERNAL'
        else ${random.weighted("r_complainant_type", [
          ["VICTIM", 70],
          ["WITNESS", 15],
          ["THIRD_PARTY", 15],
        ])} end,
      case when not anonymous then ${random.pick("r_name", text.names)} end,
      case when not anonymous and r_email < 0.6 then ${random.pick("r_email", text.emails)} end,
      case when not anonymous and r_phone < 0.7 then ${random.pick("r_phone", text.phones)} end,
      anonymous, encode(sha256(convert_to(${accessCode}, 'UTF8')), 'hex'),
      registered_at, response_due_at, extended_to, closed_at, assignee_id, registered_by,
      1 + (status <> 'REGISTERED')::int + (status in ('UNDER_INVESTIGATION', 'PENDING_REVIEW') or (closed_time is not null and not early))::int
        + (status = 'PENDING_REVIEW' or (closed_time is not null and not early))::int + (extended_to is not null)::int
        + (closed_time is not null)::int + (status = 'REOPENED')::int,
      case when feedback_at is not null then ${random.weighted("r_rating", [
        ["1", 20],
        ["2", 12],
        ["3", 18],
        ["4", 25],
        ["5", 25],
      ])}::smallint end,
      case when feedback_at is not null and r_comment < 0.4 then ${random.pick("r_comment", text.feedback)} end,
      feedback_at
    from seed_batch`;

  const reason = (choices: readonly (readonly [string, number])[]) =>
    random.weighted("r_reason", choices);
  const allegationsInsert = `insert into allegations (id, complaint_id, category, officer_id, unit_at_incident_id,
      recommended_finding, finding, closure_reason, finding_rationale, created_at, complaint_registered_at)
    with x as materialized (
      select b.*, j, ${random.r("c * 4 + j", 101)} as r_outcome, ${random.r("c * 4 + j", 102)} as r_finding,
        ${random.r("c * 4 + j", 103)} as r_reason, ${random.r("c * 4 + j", 104)} as r_rationale
      from seed_batch b cross join lateral generate_series(1, b.allegation_count) j
    ), y as materialized (
      select x.*, ${random.weighted("r_finding", FINDING_SHARES)} as merits,
        case when closed_time is not null and not identified then 'OFFICER_UNIDENTIFIED'
          when closed_time is not null and early and officer_separated < closed_time::date then 'SUBJECT_SEPARATED'
          when closed_time is not null and early then ${reason([
            ["WITHDRAWN", 30],
            ["MEDIATED", 20],
            ["COMPLAINANT_UNAVAILABLE", 20],
            ["ADMINISTRATIVELY_CLOSED", 15],
            ["REFERRED_TO_PROSECUTOR", 15],
          ])}
          when closed_time is not null and r_outcome < 0.08 then ${reason([
            ["WITHDRAWN", 40],
            ["MEDIATED", 30],
            ["REFERRED_TO_PROSECUTOR", 30],
          ])} end as closure_reason
      from x
    )
    select ${random.orderedId("c * 4 + j", 930)}, id,
      (${textArray(CATEGORIES)})[1 + (category0 + case j when 1 then 0 when 2 then offset2 else offset3 end) % ${CATEGORIES.length}],
      officer_id, case when identified then unit_id end,
      case when identified and (status = 'PENDING_REVIEW' or (status = 'UNDER_INVESTIGATION' and r_outcome < 0.3)
        or (closed_time is not null and closure_reason is null)) then merits end,
      case when closed_time is not null and closure_reason is null then merits end,
      closure_reason,
      case when closed_time is not null then ${random.pick("r_rationale", RATIONALES)} end, registered_at, registered_at
    from y`;

  const message = (fn: (lang: Language) => string) =>
    `case language ${LANGUAGES.map((lang) => `when '${lang}' then ${lit(fn(lang))}`).join(" ")} end`;
  const investigated = `status in ('UNDER_INVESTIGATION', 'PENDING_REVIEW') or (closed_time is not null and not early)`;
  // One SELECT per kind of step, each a plain scan of the batch (a LATERAL VALUES list is compiled per row).
  const step = (
    n: number,
    kind: string,
    at: string,
    actor: string,
    note: string,
    message: string,
    from = "seed_batch b",
  ) =>
    `select ${random.orderedId(`b.c * 8 + ${n}`, 940)}, b.id, ${at}, '${kind}', ${actor}, ${note}, ${message} from ${from} where ${at} is not null`;
  const eventsInsert = `insert into complaint_events (id, complaint_id, at, kind, actor_id, note, public_message)
    ${[
      step(
        0,
        "REGISTERED",
        "b.registered_at",
        "b.registered_by",
        "null",
        "b.reg_prefix || b.tracking_number || b.reg_suffix",
      ),
      step(
        1,
        "ASSIGNED",
        "case when b.status <> 'REGISTERED' then b.registered_at + b.span * 0.05 end",
        "b.supervisor_id",
        "'Assigned to ' || b.assignee_name",
        "null",
      ),
      step(
        2,
        "INVESTIGATION_STARTED",
        `case when ${investigated} then b.registered_at + b.span * 0.15 end`,
        "b.assignee_id",
        "null",
        "null",
      ),
      step(
        3,
        "DEADLINE_EXTENDED",
        "b.extended_at",
        "b.assignee_id",
        lit("More time is needed to hear the witnesses"),
        "x.ext_msg",
        "seed_batch b join seed_days x on x.day = b.extended_day and x.lang = b.language",
      ),
      step(
        4,
        "SUBMITTED_FOR_REVIEW",
        "case when status = 'PENDING_REVIEW' or (closed_time is not null and not early) then b.registered_at + b.span * 0.7 end",
        "b.assignee_id",
        "null",
        "null",
      ),
      step(
        5,
        "CLOSED",
        "b.closed_time",
        "b.supervisor_id",
        "null",
        message((lang) => publicMessages.closed(lang)),
      ),
      step(
        6,
        "REOPENED",
        `case when b.status = 'REOPENED' then b.closed_time + (${NOW} - b.closed_time) * 0.3 end`,
        "b.supervisor_id",
        lit("The complainant brought new evidence"),
        message((lang) => publicMessages.reopened(lang)),
      ),
      step(7, "FEEDBACK_RECEIVED", "b.feedback_at", "null::uuid", "null", "null"),
    ].join("\n    union all ")}`;

  const seeded: ComplaintsSeeded = { complaints: 0, allegations: 0, events: 0 };
  await inBatches(total, options.batch, async (lo, hi) => {
    // Its joins look up 3 rows per complaint: hashing the small tables once beats an index probe per row.
    await run(tx, "set local enable_nestloop = off");
    await run(tx, plan(lo, hi));
    await run(tx, "set local enable_nestloop = on");
    seeded.complaints += written(await run(tx, complaintsInsert));
    seeded.allegations += written(await run(tx, allegationsInsert));
    seeded.events += written(await run(tx, eventsInsert));
    await run(tx, `drop table seed_batch`);
    report("complaints", hi, total);
  });
  await advanceCounters(tx, "seed_year", "SNM");
  return seeded;
}
