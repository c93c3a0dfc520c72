CREATE TABLE "commendations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tracking_number" text NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'SUBMITTED' NOT NULL,
	"officer_id" uuid,
	"officer_description" text,
	"unit_id" uuid,
	"channel" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"narrative_sealed" text NOT NULL,
	"submitter_name_sealed" text,
	"submitter_email_sealed" text,
	"submitter_phone_sealed" text,
	"registered_at" timestamp with time zone NOT NULL,
	"recorded_by" uuid,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	CONSTRAINT "commendations_trackingNumber_unique" UNIQUE("tracking_number")
);
--> statement-breakpoint
ALTER TABLE "commendations" ADD CONSTRAINT "commendations_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commendations" ADD CONSTRAINT "commendations_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commendations" ADD CONSTRAINT "commendations_recorded_by_principals_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commendations" ADD CONSTRAINT "commendations_reviewed_by_principals_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commendations_officer_idx" ON "commendations" USING btree ("officer_id","occurred_at");--> statement-breakpoint
CREATE INDEX "commendations_status_idx" ON "commendations" USING btree ("status","registered_at");--> statement-breakpoint
CREATE INDEX "commendations_unit_idx" ON "commendations" USING btree ("unit_id","occurred_at");