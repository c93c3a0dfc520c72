CREATE TABLE "row_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tx" bigint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text NOT NULL,
	"op" text NOT NULL,
	"row_hash" text,
	"db_role" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "tx" bigint;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "input_digest" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "digest" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "records" text[];--> statement-breakpoint
CREATE INDEX "row_versions_tx_idx" ON "row_versions" USING btree ("tx");--> statement-breakpoint
CREATE INDEX "audit_log_tx_idx" ON "audit_log" USING btree ("tx");--> statement-breakpoint
CREATE INDEX "audit_log_records_idx" ON "audit_log" USING gin ("records") WHERE "audit_log"."records" is not null;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_outcome_check" CHECK ("outcome" IN ('SUCCESS', 'DENIED', 'UNAUDITED'));
--> statement-breakpoint
-- Row versions are written by these triggers only. SECURITY DEFINER: they run as the owner, so the runtime role
-- needs (and gets) no write access to row_versions, and cannot forge or remove a version.
-- TG_ARGV: the entity the table's rows belong to, and the column naming that entity's record.
CREATE FUNCTION record_row_versions() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO row_versions (tx, at, entity, entity_id, op, row_hash, db_role)
      SELECT txid_current(), now(), TG_ARGV[0], to_jsonb(o) ->> TG_ARGV[1], TG_OP, NULL, session_user FROM old_rows o;
  ELSE
    INSERT INTO row_versions (tx, at, entity, entity_id, op, row_hash, db_role)
      SELECT txid_current(), now(), TG_ARGV[0], to_jsonb(n) ->> TG_ARGV[1], TG_OP,
             encode(sha256(convert_to(to_jsonb(n)::text, 'UTF8')), 'hex'), session_user
      FROM new_rows n;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- What a transaction wrote to the case tables, as one hash: the audit record's digest covers it.
-- plpgsql, not sql: its plan is kept for the session, where a SQL function's is made again on every call,
-- and this one runs inside the chain lock.
CREATE FUNCTION tx_writes_hash(of_tx bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT encode(sha256(convert_to(coalesce(string_agg(
            entity || ' ' || entity_id || ' ' || op || ' ' || coalesce(row_hash, '-'), E'\n' ORDER BY id), ''), 'UTF8')), 'hex')
          FROM row_versions WHERE tx = of_tx);
END;
$$;
--> statement-breakpoint
-- The chain's head and this transaction's writes, with the chain lock held until commit: one round trip
-- before the audit insert. The lock serialises appends so each record chains onto exactly one predecessor.
CREATE FUNCTION audit_append_start(OUT this_tx bigint, OUT head_seq bigint, OUT head_hash text,
                                   OUT head_key_id text, OUT head_outcome text, OUT writes_hash text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7356002);
  this_tx := txid_current();
  SELECT seq, hash, key_id, outcome INTO head_seq, head_hash, head_key_id, head_outcome
    FROM audit_log ORDER BY seq DESC LIMIT 1;
  writes_hash := tx_writes_hash(this_tx);
END;
$$;
--> statement-breakpoint
-- At commit, for each row version: a transaction that changed case rows and wrote no audit record was not the
-- service. Its changes go on the chain as UNAUDITED records, unkeyed (the database never holds AUDIT_KEY), one
-- per record changed, so verifyAuditChain and auditTrail show them. The first check appends them all; the
-- others find them and stop. (A marker table per transaction was tried: its insert-then-delete churn left
-- dead rows that slowed every write until vacuumed.)
CREATE FUNCTION audit_unaudited_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  head record;
  change record;
  next_seq bigint;
  prev text;
BEGIN
  IF EXISTS (SELECT 1 FROM audit_log WHERE tx = NEW.tx) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7356002);
  SELECT seq, hash INTO head FROM audit_log ORDER BY seq DESC LIMIT 1;
  next_seq := coalesce(head.seq, 0);
  prev := coalesce(head.hash, repeat('0', 64));
  FOR change IN
    SELECT entity, entity_id, op, min(db_role) AS db_role, min(id) AS first
    FROM row_versions WHERE tx = NEW.tx GROUP BY entity, entity_id, op ORDER BY first
  LOOP
    next_seq := next_seq + 1;
    INSERT INTO audit_log (seq, at, principal_id, principal_role, action, entity, entity_id, outcome,
                           request_id, prev_hash, hash, tx)
    VALUES (next_seq, now(), NULL, NULL, 'unaudited' || initcap(change.op), change.entity, change.entity_id,
            'UNAUDITED', 'db:' || change.db_role || ':' || pg_backend_pid(), prev,
            encode(sha256(convert_to(prev || ' ' || next_seq || ' ' || change.entity || ' ' || change.entity_id
                                     || ' ' || change.op, 'UTF8')), 'hex'),
            NEW.tx)
    RETURNING hash INTO prev;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER row_versions_audited AFTER INSERT ON row_versions DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_unaudited_changes();
--> statement-breakpoint
-- One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
DO $$
DECLARE
  t text[];
BEGIN
  FOREACH t SLICE 1 IN ARRAY ARRAY[
    ['complaints', 'Complaint', 'id'],
    ['complaint_events', 'Complaint', 'complaint_id'],
    ['allegations', 'Allegation', 'id'],
    ['commendations', 'Commendation', 'id'],
    ['disciplinary_reviews', 'DisciplinaryReview', 'id'],
    ['review_allegations', 'DisciplinaryReview', 'review_id'],
    ['officers', 'Officer', 'id'],
    ['officer_assignments', 'Officer', 'officer_id'],
    ['officer_status_changes', 'Officer', 'officer_id'],
    ['units', 'Unit', 'id'],
    ['principals', 'Principal', 'id']
  ] LOOP
    EXECUTE format('CREATE TRIGGER versions_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_row_versions(%L, %L)', t[1], t[2], t[3]);
    EXECUTE format('CREATE TRIGGER versions_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_row_versions(%L, %L)', t[1], t[2], t[3]);
    EXECUTE format('CREATE TRIGGER versions_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_row_versions(%L, %L)', t[1], t[2], t[3]);
  END LOOP;
END;
$$;
