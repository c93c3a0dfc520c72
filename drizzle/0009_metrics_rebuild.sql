-- Rebuilds every roll-up from the records, set-based: for bulk loads (the seed turns the roll-up triggers off,
-- loads, then calls this once) and for repair. It states the same definitions as the delta functions of
-- 0006_metrics.sql, as whole-table aggregates instead of per-statement deltas; test/metrics-consistency and
-- test/seed check that the two agree row for row. TRUNCATE waits for writers holding roll-up rows and blocks
-- new ones until commit, so no concurrent write is counted twice or lost.

-- Writes `leaf` (figures per unit and day, plus the `keys` columns) into `target`: day rows for each unit and
-- all its ancestors first, then month rows summed from those day rows (a third of the rows a direct spread sorts).
CREATE FUNCTION metrics_spread(target text, leaf text, keys text, figures text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  sums text := (select string_agg(format('sum(%I)::int', f), ', ') from unnest(figures) f);
  list text := (select string_agg(format('%I', f), ', ') from unnest(figures) f);
BEGIN
  EXECUTE format('analyze %I', leaf);
  EXECUTE format('insert into %I (unit_id, grain, day%s, %s)
    select l.ancestor_id, ''D'', f.day%s, %s from %I f join metrics_lineage l on l.unit_id = f.unit_id
    group by l.ancestor_id, f.day%s', target, keys, list, keys, sums, leaf, keys);
  EXECUTE format('insert into %I (unit_id, grain, day%s, %s)
    select unit_id, ''M'', date_trunc(''month'', day)::date as month%s, %s from %I where grain = ''D''
    group by unit_id, month%s', target, keys, list, keys, sums, target, keys);
END $$;
--> statement-breakpoint
-- The roll-ups' primary and foreign keys are dropped while the rows go in and added back after: one sorted
-- index build and one join per key, where row-by-row upkeep took two thirds of the time.
CREATE FUNCTION metrics_rebuild() RETURNS void LANGUAGE plpgsql
  SET enable_nestloop = off SET jit = off SET work_mem = '256MB' SET maintenance_work_mem = '256MB' AS $$
DECLARE
  keys record;
BEGIN
  TRUNCATE metrics_daily, metrics_category_daily, metrics_close_days;
  CREATE TEMP TABLE metrics_keys ON COMMIT DROP AS
    select conrelid::regclass as rel, conname as name, pg_get_constraintdef(oid) as definition, contype
    from pg_constraint
    where conrelid in ('metrics_daily'::regclass, 'metrics_category_daily'::regclass, 'metrics_close_days'::regclass)
      and contype in ('p', 'f');
  FOR keys IN select * from metrics_keys order by contype LOOP
    EXECUTE format('alter table %s drop constraint %I', keys.rel, keys.name);
  END LOOP;
  CREATE TEMP TABLE metrics_lineage ON COMMIT DROP AS
    select u.id as unit_id, a.id as ancestor_id from units u join units a on starts_with(u.path, a.path);
  CREATE TEMP TABLE metrics_complaint ON COMMIT DROP AS
    select c.id, c.unit_id, senim_day(c.registered_at) as registered,
      case when c.status = 'CLOSED' then senim_day(c.closed_at) end as closed,
      c.closed_at <= coalesce(c.extended_to, c.response_due_at) as in_time,
      senim_day(coalesce(c.extended_to, c.response_due_at)) as due, c.feedback_rating
    from complaints c;
  ANALYZE metrics_complaint;

  CREATE TEMP TABLE metrics_leaf ON COMMIT DROP AS
  with events (unit_id, day, received, closed, closed_in_time, overdue_started, overdue_ended, feedback_responses,
    feedback_sum, with_finding, sustained, commendations, officers_in, officers_out) as (
    select unit_id, registered, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 from metrics_complaint
    union all
    select unit_id, closed, 0, 1, coalesce(in_time, false)::int, 0, coalesce(closed > due, false)::int,
      (feedback_rating is not null)::int, coalesce(feedback_rating::int, 0), 0, 0, 0, 0, 0
    from metrics_complaint where closed is not null
    union all
    select unit_id, due, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0
    from metrics_complaint where due is not null and (closed is null or closed > due)
    union all
    select coalesce(a.unit_at_incident_id, c.unit_id), c.closed, 0, 0, 0, 0, 0, 0, 0, 1,
      (a.finding = 'SUSTAINED')::int, 0, 0, 0
    from allegations a join metrics_complaint c on c.id = a.complaint_id
    where c.closed is not null and a.finding is not null
    union all
    select coalesce(c.unit_id, (select id from units where code = 'MVD')), senim_day(c.registered_at),
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0
    from commendations c where c.status = 'VERIFIED'
    union all
    select d.unit_id, d.day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (d.metric = 'officers_in')::int, (d.metric = 'officers_out')::int
    from metrics_of_assignments(array(select a from officer_assignments a), 1) d
    union all
    select d.unit_id, d.day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (d.metric = 'officers_in')::int, (d.metric = 'officers_out')::int
    from metrics_of_separations(array(select s from officer_status_changes s order by s.changed_at)) d
  )
  select unit_id, day, sum(received) as received, sum(received) as opened, sum(closed) as closed,
    sum(closed_in_time) as closed_in_time, sum(overdue_started) as overdue_started, sum(overdue_ended) as overdue_ended,
    sum(feedback_responses) as feedback_responses, sum(feedback_sum) as feedback_sum, sum(with_finding) as with_finding,
    sum(sustained) as sustained, sum(commendations) as commendations, sum(officers_in) as officers_in,
    sum(officers_out) as officers_out
  from events group by 1, 2;
  PERFORM metrics_spread('metrics_daily', 'metrics_leaf', '', array['received', 'opened', 'closed', 'closed_in_time',
    'overdue_started', 'overdue_ended', 'feedback_responses', 'feedback_sum', 'with_finding', 'sustained',
    'commendations', 'officers_in', 'officers_out']);
  DROP TABLE metrics_leaf;

  CREATE TEMP TABLE metrics_leaf ON COMMIT DROP AS
  with events (unit_id, day, category, allegations, sustained) as (
    select coalesce(a.unit_at_incident_id, c.unit_id), c.registered, a.category, 1, 0
    from allegations a join metrics_complaint c on c.id = a.complaint_id
    union all
    select coalesce(a.unit_at_incident_id, c.unit_id), c.closed, a.category, 0, 1
    from allegations a join metrics_complaint c on c.id = a.complaint_id
    where c.closed is not null and a.finding = 'SUSTAINED'
  )
  select unit_id, day, category, sum(allegations) as allegations, sum(sustained) as sustained
  from events group by 1, 2, 3;
  PERFORM metrics_spread('metrics_category_daily', 'metrics_leaf', ', category', array['allegations', 'sustained']);
  DROP TABLE metrics_leaf;

  CREATE TEMP TABLE metrics_leaf ON COMMIT DROP AS
  select unit_id, closed as day, greatest(closed - registered, 0)::smallint as days, count(*) as complaints
  from metrics_complaint where closed is not null group by 1, 2, 3;
  PERFORM metrics_spread('metrics_close_days', 'metrics_leaf', ', days', array['complaints']);
  DROP TABLE metrics_leaf, metrics_lineage, metrics_complaint;

  FOR keys IN select * from metrics_keys order by contype desc LOOP
    EXECUTE format('alter table %s add constraint %I %s', keys.rel, keys.name, keys.definition);
  END LOOP;
  DROP TABLE metrics_keys;
END $$;
