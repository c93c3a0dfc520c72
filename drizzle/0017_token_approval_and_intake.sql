ALTER TABLE "principals" ADD COLUMN "activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "principals" ADD COLUMN "approved_by" uuid;--> statement-breakpoint
ALTER TABLE "principals" ADD COLUMN "channel" text;--> statement-breakpoint
-- Existing tokens were all working: active since they were made. Those that never expired get 90 days from
-- this upgrade (not from their creation, which would cut off a long-standing integration the moment it is
-- deployed, with no warning); those set to outlive the new 365-day ceiling are brought down to it.
-- The version trigger is off for this one statement: a migration is reviewed code run by the tables' owner,
-- not a change behind the service's back, and an UNAUDITED record would fail verifyAuditChain for good.
ALTER TABLE "principals" DISABLE TRIGGER "versions_update";--> statement-breakpoint
UPDATE "principals" SET
  "activated_at" = "created_at",
  "expires_at" = least(coalesce("expires_at", now() + interval '90 days'), now() + interval '365 days');--> statement-breakpoint
ALTER TABLE "principals" ENABLE TRIGGER "versions_update";--> statement-breakpoint
ALTER TABLE "principals" ALTER COLUMN "expires_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "principals" ADD CONSTRAINT "principals_approved_by_principals_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "principals" ADD CONSTRAINT "principals_channel_check" CHECK (("principals"."role" = 'INTAKE') = ("principals"."channel" is not null));
