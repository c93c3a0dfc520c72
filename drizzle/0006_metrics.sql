CREATE TABLE "metrics_category_daily" (
	"unit_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"category" text NOT NULL,
	"allegations" integer DEFAULT 0 NOT NULL,
	"sustained" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "metrics_category_daily_unit_id_grain_day_category_pk" PRIMARY KEY("unit_id","grain","day","category")
);
--> statement-breakpoint
CREATE TABLE "metrics_close_days" (
	"unit_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"days" smallint NOT NULL,
	"complaints" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "metrics_close_days_unit_id_grain_day_days_pk" PRIMARY KEY("unit_id","grain","day","days")
);
--> statement-breakpoint
CREATE TABLE "metrics_daily" (
	"unit_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"day" date NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"opened" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"closed_in_time" integer DEFAULT 0 NOT NULL,
	"overdue_started" integer DEFAULT 0 NOT NULL,
	"overdue_ended" integer DEFAULT 0 NOT NULL,
	"feedback_responses" integer DEFAULT 0 NOT NULL,
	"feedback_sum" integer DEFAULT 0 NOT NULL,
	"with_finding" integer DEFAULT 0 NOT NULL,
	"sustained" integer DEFAULT 0 NOT NULL,
	"commendations" integer DEFAULT 0 NOT NULL,
	"officers_in" integer DEFAULT 0 NOT NULL,
	"officers_out" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "metrics_daily_unit_id_grain_day_pk" PRIMARY KEY("unit_id","grain","day"),
	CONSTRAINT "metrics_daily_grain" CHECK ("metrics_daily"."grain" in ('D', 'M'))
);
--> statement-breakpoint
ALTER TABLE "metrics_category_daily" ADD CONSTRAINT "metrics_category_daily_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_close_days" ADD CONSTRAINT "metrics_close_days_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_daily" ADD CONSTRAINT "metrics_daily_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Roll-ups for trustMetrics, kept by statement-level triggers in the writing transaction.
-- A change is described as deltas (unit, day, metric, bucket, n); metrics_add spreads them to the unit's
-- ancestors and to month rows, and upserts in key order (one statement, so concurrent writers lock rows in
-- the same order). Definitions live in metrics_of_complaints/metrics_allegation and are documented in the README.
CREATE FUNCTION senim_day(ts timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ select (ts at time zone 'Asia/Almaty')::date $$;
--> statement-breakpoint
CREATE TYPE metric_delta AS (unit_id uuid, day date, metric text, bucket text, n integer);
--> statement-breakpoint
-- Deltas are summed per leaf unit and day first, then spread to ancestors and months, so a bulk write
-- multiplies rows after they shrink. Hash joins only, and no JIT: the planner cannot see how many deltas
-- a statement brings (one for a form, a million for a seed), and either mistake costs far more than it saves.
-- plpgsql, not sql: a SQL function's statements are planned on every call (10-30 ms for this one on every
-- write), while plpgsql keeps the plan for the session.
CREATE FUNCTION metrics_add(deltas metric_delta[]) RETURNS void LANGUAGE plpgsql
  SET enable_nestloop = off SET jit = off SET work_mem = '64MB' AS $$
BEGIN
  IF coalesce(cardinality(deltas), 0) = 0 THEN RETURN; END IF;
  with base as (
    select d.unit_id, d.day, d.metric, d.bucket, sum(d.n)::int as n
    from unnest(deltas) d group by 1, 2, 3, 4 having sum(d.n) <> 0
  ), lineage as materialized (
    select u.id as unit_id, a.id as ancestor_id from units u join units a on starts_with(u.path, a.path)
  ), grains(grain) as (values ('D'), ('M')
  ), leaf as (
    select unit_id, day,
      coalesce(sum(n) filter (where metric = 'received'), 0) as received, coalesce(sum(n) filter (where metric = 'opened'), 0) as opened,
      coalesce(sum(n) filter (where metric = 'closed'), 0) as closed, coalesce(sum(n) filter (where metric = 'closed_in_time'), 0) as closed_in_time,
      coalesce(sum(n) filter (where metric = 'overdue_started'), 0) as overdue_started, coalesce(sum(n) filter (where metric = 'overdue_ended'), 0) as overdue_ended,
      coalesce(sum(n) filter (where metric = 'feedback_responses'), 0) as feedback_responses, coalesce(sum(n) filter (where metric = 'feedback_sum'), 0) as feedback_sum,
      coalesce(sum(n) filter (where metric = 'with_finding'), 0) as with_finding, coalesce(sum(n) filter (where metric = 'sustained'), 0) as sustained,
      coalesce(sum(n) filter (where metric = 'commendations'), 0) as commendations, coalesce(sum(n) filter (where metric = 'officers_in'), 0) as officers_in,
      coalesce(sum(n) filter (where metric = 'officers_out'), 0) as officers_out
    from base where bucket = '' group by 1, 2
  ), wide as (
    insert into metrics_daily as m (unit_id, grain, day, received, opened, closed, closed_in_time, overdue_started,
      overdue_ended, feedback_responses, feedback_sum, with_finding, sustained, commendations, officers_in, officers_out)
    select l.ancestor_id, g.grain, case g.grain when 'D' then f.day else date_trunc('month', f.day)::date end,
      sum(received), sum(opened), sum(closed), sum(closed_in_time), sum(overdue_started), sum(overdue_ended), sum(feedback_responses),
      sum(feedback_sum), sum(with_finding), sum(sustained), sum(commendations), sum(officers_in), sum(officers_out)
    from leaf f join lineage l on l.unit_id = f.unit_id cross join grains g
    group by 1, 2, 3 order by 1, 2, 3
    on conflict (unit_id, grain, day) do update set
      received = m.received + excluded.received, opened = m.opened + excluded.opened, closed = m.closed + excluded.closed,
      closed_in_time = m.closed_in_time + excluded.closed_in_time, overdue_started = m.overdue_started + excluded.overdue_started,
      overdue_ended = m.overdue_ended + excluded.overdue_ended, feedback_responses = m.feedback_responses + excluded.feedback_responses,
      feedback_sum = m.feedback_sum + excluded.feedback_sum, with_finding = m.with_finding + excluded.with_finding,
      sustained = m.sustained + excluded.sustained, commendations = m.commendations + excluded.commendations,
      officers_in = m.officers_in + excluded.officers_in, officers_out = m.officers_out + excluded.officers_out
    returning 1
  ), by_category as (
    insert into metrics_category_daily as m (unit_id, grain, day, category, allegations, sustained)
    select l.ancestor_id, g.grain, case g.grain when 'D' then b.day else date_trunc('month', b.day)::date end, b.bucket,
      coalesce(sum(n) filter (where metric = 'cat_allegations'), 0), coalesce(sum(n) filter (where metric = 'cat_sustained'), 0)
    from base b join lineage l on l.unit_id = b.unit_id cross join grains g
    where b.metric in ('cat_allegations', 'cat_sustained') group by 1, 2, 3, 4 order by 1, 2, 3, 4
    on conflict (unit_id, grain, day, category) do update set
      allegations = m.allegations + excluded.allegations, sustained = m.sustained + excluded.sustained
    returning 1
  )
  insert into metrics_close_days as m (unit_id, grain, day, days, complaints)
  select l.ancestor_id, g.grain, case g.grain when 'D' then b.day else date_trunc('month', b.day)::date end, b.bucket::smallint, sum(n)
  from base b join lineage l on l.unit_id = b.unit_id cross join grains g
  where b.metric = 'close_days' group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (unit_id, grain, day, days) do update set complaints = m.complaints + excluded.complaints;
END $$;
--> statement-breakpoint
-- A complaint's own figures: received, open and overdue in/out pairs, and (once CLOSED) closure, timeliness,
-- days to close and feedback, all on its unit. Overdue runs from the day the deadline in force passes to the
-- closing day, so the stock summed over days before D is "open and past deadline at the start of D".
CREATE FUNCTION metrics_of_complaints(cs complaints[], sign integer) RETURNS SETOF metric_delta LANGUAGE sql STABLE AS $$
  select c.unit_id, d.day, d.metric, d.bucket, d.n * sign
  from unnest(cs) c
  cross join lateral (select senim_day(c.registered_at) as registered,
    case when c.status = 'CLOSED' then senim_day(c.closed_at) end as closed,
    coalesce(c.extended_to, c.response_due_at) as due) k
  cross join lateral (values
    (k.registered, 'received', '', 1),
    (k.registered, 'opened', '', 1),
    (k.closed, 'closed', '', 1),
    (k.closed, 'closed_in_time', '', (c.closed_at <= k.due)::int),
    (k.closed, 'close_days', greatest(k.closed - k.registered, 0)::text, 1),
    (k.closed, 'feedback_responses', '', (c.feedback_rating is not null)::int),
    (k.closed, 'feedback_sum', '', coalesce(c.feedback_rating::int, 0)),
    (senim_day(k.due), 'overdue_started', '', (k.closed is null or k.closed > senim_day(k.due))::int),
    (k.closed, 'overdue_ended', '', (k.closed > senim_day(k.due))::int)
  ) d(day, metric, bucket, n)
  where d.day is not null and d.n <> 0
$$;
--> statement-breakpoint
-- One allegation: received in its category on the complaint's registration day; its merits finding (closure
-- reasons never count) on the day the complaint closed, toward the unit at the incident (else the complaint's unit).
CREATE FUNCTION metrics_allegation(unit_id uuid, category text, finding text, registered_at timestamptz,
  complaint_status text, closed_at timestamptz, sign integer) RETURNS SETOF metric_delta LANGUAGE sql IMMUTABLE AS $$
  select unit_id, d.day, d.metric, d.bucket, d.n * sign
  from (select case when complaint_status = 'CLOSED' then senim_day(closed_at) end as closed) k
  cross join lateral (values
    (senim_day(registered_at), 'cat_allegations', category, 1),
    (k.closed, 'with_finding', '', (finding is not null)::int),
    (k.closed, 'sustained', '', coalesce(finding = 'SUSTAINED', false)::int),
    (k.closed, 'cat_sustained', category, coalesce(finding = 'SUSTAINED', false)::int)
  ) d(day, metric, bucket, n)
  where d.day is not null and d.n <> 0
$$;
--> statement-breakpoint
CREATE FUNCTION metrics_of_complaint_allegations(cs complaints[], sign integer) RETURNS SETOF metric_delta LANGUAGE sql STABLE AS $$
  select d.* from unnest(cs) c
  join allegations a on a.complaint_id = c.id
  cross join lateral metrics_allegation(coalesce(a.unit_at_incident_id, c.unit_id), a.category, a.finding,
    c.registered_at, c.status, c.closed_at, sign) d
$$;
--> statement-breakpoint
CREATE FUNCTION metrics_of_allegations(als allegations[], sign integer) RETURNS SETOF metric_delta LANGUAGE sql STABLE AS $$
  select d.* from unnest(als) a
  join complaints c on c.id = a.complaint_id
  cross join lateral metrics_allegation(coalesce(a.unit_at_incident_id, c.unit_id), a.category, a.finding,
    c.registered_at, c.status, c.closed_at, sign) d
$$;
--> statement-breakpoint
-- Verified commendations on their registration day; those with no known unit count for the nation.
CREATE FUNCTION metrics_of_commendations(cs commendations[], sign integer) RETURNS SETOF metric_delta LANGUAGE sql STABLE AS $$
  select coalesce(c.unit_id, (select id from units where code = 'MVD')), senim_day(c.registered_at), 'commendations', '', sign
  from unnest(cs) c where c.status = 'VERIFIED'
$$;
--> statement-breakpoint
-- Officers serving: in on the assignment's first day, out on the day it ends; separation (DISMISSED, RETIRED)
-- takes the officer out of the unit served on that day, and reinstatement puts them back.
CREATE FUNCTION metrics_of_assignments(rows officer_assignments[], sign integer) RETURNS SETOF metric_delta LANGUAGE sql IMMUTABLE AS $$
  select r.unit_id, d.day, d.metric, '', sign
  from unnest(rows) r cross join lateral (values (r.from_date, 'officers_in'), (r.to_date, 'officers_out')) d(day, metric)
  where d.day is not null
$$;
--> statement-breakpoint
CREATE FUNCTION metrics_of_separations(rows officer_status_changes[]) RETURNS SETOF metric_delta LANGUAGE sql STABLE AS $$
  select a.unit_id, senim_day(r.changed_at),
    case when r.to_status in ('DISMISSED', 'RETIRED') then 'officers_out' else 'officers_in' end, '', 1
  from unnest(rows) r
  cross join lateral (select x.unit_id from officer_assignments x
    where x.officer_id = r.officer_id and x.from_date <= senim_day(r.changed_at)
    order by x.from_date desc limit 1) a
  where (r.to_status in ('DISMISSED', 'RETIRED')) <> (r.from_status in ('DISMISSED', 'RETIRED'))
$$;
--> statement-breakpoint
CREATE FUNCTION metrics_complaints_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_rows complaints[];
  after_rows complaints[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    after_rows := array(select n from new_rows n);
  ELSE
    -- Only rows whose counted columns changed; most updates (assignment, notes, versions) change nothing here.
    before_rows := array(select o from old_rows o join new_rows n using (id)
      where (o.unit_id, o.status, o.registered_at, o.closed_at, o.response_due_at, o.extended_to, o.feedback_rating)
        is distinct from (n.unit_id, n.status, n.registered_at, n.closed_at, n.response_due_at, n.extended_to, n.feedback_rating));
    IF cardinality(before_rows) = 0 THEN RETURN NULL; END IF;
    after_rows := array(select n from new_rows n where n.id in (select (b).id from unnest(before_rows) b));
  END IF;
  PERFORM metrics_add(array(
    select d from metrics_of_complaints(before_rows, -1) d
    union all select d from metrics_of_complaints(after_rows, 1) d
    union all select d from metrics_of_complaint_allegations(before_rows, -1) d
    union all select d from metrics_of_complaint_allegations(after_rows, 1) d));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION metrics_allegations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_rows allegations[];
  after_rows allegations[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    after_rows := array(select n from new_rows n);
  ELSE
    before_rows := array(select o from old_rows o join new_rows n using (id)
      where (o.complaint_id, o.category, o.finding, o.unit_at_incident_id)
        is distinct from (n.complaint_id, n.category, n.finding, n.unit_at_incident_id));
    IF cardinality(before_rows) = 0 THEN RETURN NULL; END IF;
    after_rows := array(select n from new_rows n where n.id in (select (b).id from unnest(before_rows) b));
  END IF;
  PERFORM metrics_add(array(
    select d from metrics_of_allegations(before_rows, -1) d
    union all select d from metrics_of_allegations(after_rows, 1) d));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION metrics_commendations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_rows commendations[];
  after_rows commendations[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    after_rows := array(select n from new_rows n);
  ELSE
    before_rows := array(select o from old_rows o join new_rows n using (id)
      where (o.status, o.unit_id, o.registered_at) is distinct from (n.status, n.unit_id, n.registered_at));
    IF cardinality(before_rows) = 0 THEN RETURN NULL; END IF;
    after_rows := array(select n from new_rows n where n.id in (select (b).id from unnest(before_rows) b));
  END IF;
  PERFORM metrics_add(array(
    select d from metrics_of_commendations(before_rows, -1) d
    union all select d from metrics_of_commendations(after_rows, 1) d));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION metrics_assignments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before_rows officer_assignments[];
  after_rows officer_assignments[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    after_rows := array(select n from new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    before_rows := array(select o from old_rows o);
  ELSE
    before_rows := array(select o from old_rows o);
    after_rows := array(select n from new_rows n);
  END IF;
  PERFORM metrics_add(array(
    select d from metrics_of_assignments(before_rows, -1) d
    union all select d from metrics_of_assignments(after_rows, 1) d));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION metrics_separations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  after_rows officer_status_changes[] := array(select n from new_rows n);
BEGIN
  PERFORM metrics_add(array(select d from metrics_of_separations(after_rows) d));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER metrics_complaints_insert AFTER INSERT ON complaints REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_complaints_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_complaints_update AFTER UPDATE ON complaints REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_complaints_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_allegations_insert AFTER INSERT ON allegations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_allegations_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_allegations_update AFTER UPDATE ON allegations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_allegations_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_commendations_insert AFTER INSERT ON commendations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_commendations_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_commendations_update AFTER UPDATE ON commendations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_commendations_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_assignments_insert AFTER INSERT ON officer_assignments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_assignments_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_assignments_update AFTER UPDATE ON officer_assignments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_assignments_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_assignments_delete AFTER DELETE ON officer_assignments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_assignments_changed();
--> statement-breakpoint
CREATE TRIGGER metrics_separations_insert AFTER INSERT ON officer_status_changes REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION metrics_separations_changed();
--> statement-breakpoint
-- Databases that already hold records get their roll-ups now.
SELECT metrics_add(array(
  select d from metrics_of_complaints(array(select c from complaints c), 1) d
  union all select d from metrics_of_allegations(array(select a from allegations a), 1) d
  union all select d from metrics_of_commendations(array(select c from commendations c), 1) d
  union all select d from metrics_of_assignments(array(select a from officer_assignments a), 1) d
  union all select d from metrics_of_separations(array(select s from officer_status_changes s order by s.changed_at)) d));
