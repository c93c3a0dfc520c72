-- Idempotency rows keep a keyed hash (HMAC-SHA256 under ENCRYPTION_KEYS, key id in key_id) and expire
-- after 7 days. Rows already past the window are forgotten now. The others hold a plain SHA-256 of their
-- input, which cannot be re-keyed (the input is not stored): they are marked "legacy:sha256" so that a retry
-- still gets its receipt, and they expire and are purged with the window like any row.
DELETE FROM "idempotency_keys" WHERE "created_at" <= now() - interval '7 days';--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "key_id" text NOT NULL DEFAULT 'legacy:sha256';--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "key_id" DROP DEFAULT;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");
