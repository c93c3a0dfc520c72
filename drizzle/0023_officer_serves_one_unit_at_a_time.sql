-- An officer serves in one unit at a time: no two of an officer's assignments cover the same day. The services
-- keep this under the officer's row lock (a transfer closes the open assignment where the new one starts); the
-- database now holds it whoever writes, and counting who serves in a unit needs no de-duplication. Checked
-- after each row is written: a transfer closes the open assignment before it opens the next.
-- Data written before this rule must already keep it: the migration stops, and changes nothing, if it does not
-- (docs/operations.md#upgrading has the query that lists the officers concerned).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM officer_assignments a JOIN officer_assignments b
      ON b.officer_id = a.officer_id AND b.id <> a.id
        AND a.from_date < coalesce(b.to_date, 'infinity') AND b.from_date < coalesce(a.to_date, 'infinity')) THEN
    RAISE EXCEPTION 'some officer has two assignments covering one day: see docs/operations.md#upgrading'
      USING ERRCODE = 'exclusion_violation';
  END IF;
END $$;--> statement-breakpoint
CREATE FUNCTION officer_assignments_one_at_a_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM officer_assignments a
      WHERE a.officer_id = NEW.officer_id AND a.id <> NEW.id
        AND a.from_date < coalesce(NEW.to_date, 'infinity') AND NEW.from_date < coalesce(a.to_date, 'infinity')) THEN
    RAISE EXCEPTION 'an officer cannot serve in two units on the same day'
      USING ERRCODE = 'exclusion_violation', TABLE = 'officer_assignments';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "officer_assignments_one_at_a_time" AFTER INSERT OR UPDATE OF "officer_id", "from_date", "to_date"
  ON "officer_assignments" FOR EACH ROW EXECUTE FUNCTION officer_assignments_one_at_a_time();
