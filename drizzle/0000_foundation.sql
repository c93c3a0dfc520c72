CREATE TABLE "early_warning_rules" (
	"code" text PRIMARY KEY NOT NULL,
	"categories" text[] DEFAULT '{}' NOT NULL,
	"window_days" integer NOT NULL,
	"threshold" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "penalties" (
	"code" text PRIMARY KEY NOT NULL,
	"severity" integer NOT NULL,
	"name_kk" text NOT NULL,
	"name_ru" text NOT NULL,
	"name_en" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_holidays" (
	"day" date NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "public_holidays_day_pk" PRIMARY KEY("day")
);
--> statement-breakpoint
CREATE TABLE "ranks" (
	"code" text PRIMARY KEY NOT NULL,
	"seniority" integer NOT NULL,
	"name_kk" text NOT NULL,
	"name_ru" text NOT NULL,
	"name_en" text NOT NULL,
	CONSTRAINT "ranks_seniority_unique" UNIQUE("seniority")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"parent_id" uuid,
	"path" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_code_unique" UNIQUE("code"),
	CONSTRAINT "units_kind_check" CHECK ("units"."kind" in ('MINISTRY', 'REGION', 'DISTRICT'))
);
--> statement-breakpoint
CREATE TABLE "officer_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"officer_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"from_date" date NOT NULL,
	"to_date" date,
	CONSTRAINT "officer_assignments_range_check" CHECK ("officer_assignments"."to_date" is null or "officer_assignments"."to_date" > "officer_assignments"."from_date")
);
--> statement-breakpoint
CREATE TABLE "officer_status_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"officer_id" uuid NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"reason" text,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"changed_by" uuid
);
--> statement-breakpoint
CREATE TABLE "officers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"badge_number" text NOT NULL,
	"full_name" text NOT NULL,
	"rank" text NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"hired_at" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "officers_badgeNumber_unique" UNIQUE("badge_number"),
	CONSTRAINT "officers_status_check" CHECK ("officers"."status" in ('ACTIVE', 'SUSPENDED', 'ON_LEAVE', 'DISMISSED', 'RETIRED'))
);
--> statement-breakpoint
CREATE TABLE "principals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	CONSTRAINT "principals_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"principal_id" uuid,
	"principal_role" text,
	"action" text NOT NULL,
	"entity" text,
	"entity_id" text,
	"outcome" text NOT NULL,
	"request_id" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_parent_id_units_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officer_assignments" ADD CONSTRAINT "officer_assignments_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officer_assignments" ADD CONSTRAINT "officer_assignments_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officer_status_changes" ADD CONSTRAINT "officer_status_changes_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "officers" ADD CONSTRAINT "officers_rank_ranks_code_fk" FOREIGN KEY ("rank") REFERENCES "public"."ranks"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "units_parent_idx" ON "units" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "units_path_idx" ON "units" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "officer_assignments_officer_idx" ON "officer_assignments" USING btree ("officer_id","from_date");--> statement-breakpoint
CREATE INDEX "officer_assignments_unit_idx" ON "officer_assignments" USING btree ("unit_id","from_date");--> statement-breakpoint
CREATE INDEX "officer_status_changes_officer_idx" ON "officer_status_changes" USING btree ("officer_id");--> statement-breakpoint
CREATE INDEX "principals_role_idx" ON "principals" USING btree ("role");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_id","seq");--> statement-breakpoint
CREATE INDEX "audit_log_principal_idx" ON "audit_log" USING btree ("principal_id","seq");