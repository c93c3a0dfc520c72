-- UNLOGGED (edited by hand; drizzle-kit has no option for it): counters need no crash safety, and
-- skipping the WAL spares every limited request a commit flush.
CREATE UNLOGGED TABLE "rate_limit_windows" (
	"bucket" text PRIMARY KEY NOT NULL,
	"hits" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limit_windows_expires_at_idx" ON "rate_limit_windows" USING btree ("expires_at");