-- metrics_add again, with its three upserts as three statements in a fixed order: daily rows, then category
-- rows, then days-to-close rows. As data-modifying CTEs of one statement they ran category rows first (the
-- unreferenced ones run last to first), while a submission locks daily rows (the complaint) before category
-- rows (its allegations, the next statement): a closing and a submission touching the same unit and day could
-- deadlock. Rows within a table are still locked in key order.
CREATE OR REPLACE FUNCTION metrics_add(deltas metric_delta[]) RETURNS void LANGUAGE plpgsql
  SET enable_nestloop = off SET jit = off SET work_mem = '64MB' AS $$
DECLARE
  base metric_delta[];
BEGIN
  IF coalesce(cardinality(deltas), 0) = 0 THEN RETURN; END IF;
  base := array(select row(d.unit_id, d.day, d.metric, d.bucket, sum(d.n)::int)::metric_delta
    from unnest(deltas) d group by d.unit_id, d.day, d.metric, d.bucket having sum(d.n) <> 0);
  IF cardinality(base) = 0 THEN RETURN; END IF;

  with lineage as materialized (
    select u.id as unit_id, a.id as ancestor_id from units u join units a on starts_with(u.path, a.path)
    where u.id in (select b.unit_id from unnest(base) b)
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
    from unnest(base) where bucket = '' group by 1, 2
  )
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
    officers_in = m.officers_in + excluded.officers_in, officers_out = m.officers_out + excluded.officers_out;

  with lineage as materialized (
    select u.id as unit_id, a.id as ancestor_id from units u join units a on starts_with(u.path, a.path)
    where u.id in (select b.unit_id from unnest(base) b)
  ), grains(grain) as (values ('D'), ('M'))
  insert into metrics_category_daily as m (unit_id, grain, day, category, allegations, sustained)
  select l.ancestor_id, g.grain, case g.grain when 'D' then b.day else date_trunc('month', b.day)::date end, b.bucket,
    coalesce(sum(n) filter (where metric = 'cat_allegations'), 0), coalesce(sum(n) filter (where metric = 'cat_sustained'), 0)
  from unnest(base) b join lineage l on l.unit_id = b.unit_id cross join grains g
  where b.metric in ('cat_allegations', 'cat_sustained') group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (unit_id, grain, day, category) do update set
    allegations = m.allegations + excluded.allegations, sustained = m.sustained + excluded.sustained;

  with lineage as materialized (
    select u.id as unit_id, a.id as ancestor_id from units u join units a on starts_with(u.path, a.path)
    where u.id in (select b.unit_id from unnest(base) b)
  ), grains(grain) as (values ('D'), ('M'))
  insert into metrics_close_days as m (unit_id, grain, day, days, complaints)
  select l.ancestor_id, g.grain, case g.grain when 'D' then b.day else date_trunc('month', b.day)::date end, b.bucket::smallint, sum(n)
  from unnest(base) b join lineage l on l.unit_id = b.unit_id cross join grains g
  where b.metric = 'close_days' group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (unit_id, grain, day, days) do update set complaints = m.complaints + excluded.complaints;
END $$;
