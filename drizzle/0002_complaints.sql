CREATE TABLE "allegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"category" text NOT NULL,
	"description" text,
	"officer_id" uuid,
	"unit_at_incident_id" uuid,
	"recommended_finding" text,
	"finding" text,
	"closure_reason" text,
	"finding_rationale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allegations_one_outcome" CHECK ("allegations"."finding" is null or "allegations"."closure_reason" is null)
);
--> statement-breakpoint
CREATE TABLE "complaint_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"complaint_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"public_message" text
);
--> statement-breakpoint
CREATE TABLE "complaints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tracking_number" text NOT NULL,
	"status" text DEFAULT 'REGISTERED' NOT NULL,
	"channel" text NOT NULL,
	"language" text NOT NULL,
	"incident_at" timestamp with time zone NOT NULL,
	"incident_place" text,
	"unit_id" uuid NOT NULL,
	"narrative_sealed" text NOT NULL,
	"complainant_type" text,
	"complainant_name_sealed" text,
	"complainant_email_sealed" text,
	"complainant_phone_sealed" text,
	"anonymous" boolean NOT NULL,
	"complainant_erased_at" timestamp with time zone,
	"access_code_hash" text NOT NULL,
	"registered_at" timestamp with time zone NOT NULL,
	"response_due_at" timestamp with time zone NOT NULL,
	"extended_to" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"assignee_id" uuid,
	"registered_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"feedback_rating" smallint,
	"feedback_comment_sealed" text,
	"feedback_at" timestamp with time zone,
	CONSTRAINT "complaints_trackingNumber_unique" UNIQUE("tracking_number"),
	CONSTRAINT "complaints_rating_check" CHECK ("complaints"."feedback_rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" uuid NOT NULL,
	"request_hash" text NOT NULL,
	"result_id" uuid,
	"receipt_sealed" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "tracking_counters" (
	"scope" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "tracking_counters_scope_year_pk" PRIMARY KEY("scope","year")
);
--> statement-breakpoint
ALTER TABLE "allegations" ADD CONSTRAINT "allegations_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allegations" ADD CONSTRAINT "allegations_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allegations" ADD CONSTRAINT "allegations_unit_at_incident_id_units_id_fk" FOREIGN KEY ("unit_at_incident_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_events" ADD CONSTRAINT "complaint_events_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaint_events" ADD CONSTRAINT "complaint_events_actor_id_principals_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_assignee_id_principals_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "complaints" ADD CONSTRAINT "complaints_registered_by_principals_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "allegations_complaint_idx" ON "allegations" USING btree ("complaint_id");--> statement-breakpoint
CREATE INDEX "allegations_officer_idx" ON "allegations" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "allegations_unit_idx" ON "allegations" USING btree ("unit_at_incident_id");--> statement-breakpoint
CREATE INDEX "complaint_events_complaint_idx" ON "complaint_events" USING btree ("complaint_id","at");--> statement-breakpoint
CREATE INDEX "complaints_queue_idx" ON "complaints" USING btree ("status","response_due_at");--> statement-breakpoint
CREATE INDEX "complaints_unit_idx" ON "complaints" USING btree ("unit_id","registered_at");--> statement-breakpoint
CREATE INDEX "complaints_registered_idx" ON "complaints" USING btree ("registered_at");--> statement-breakpoint
CREATE INDEX "complaints_assignee_idx" ON "complaints" USING btree ("assignee_id");