CREATE TABLE "disciplinary_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"officer_id" uuid NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"summary" text NOT NULL,
	"opened_by" uuid,
	"opened_at" timestamp with time zone NOT NULL,
	"hearing_at" timestamp with time zone,
	"penalty" text,
	"original_penalty" text,
	"effective_from" date,
	"effective_until" date,
	"rationale" text,
	"aggravating_factors" text[] DEFAULT '{}' NOT NULL,
	"mitigating_factors" text[] DEFAULT '{}' NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"appeal_reason" text,
	"appealed_at" timestamp with time zone,
	"appeal_outcome" text,
	"appeal_decided_at" timestamp with time zone,
	"overturned" boolean DEFAULT false NOT NULL,
	"finalized_at" timestamp with time zone,
	CONSTRAINT "disciplinary_reviews_window" CHECK ("disciplinary_reviews"."effective_until" is null or "disciplinary_reviews"."effective_until" > "disciplinary_reviews"."effective_from")
);
--> statement-breakpoint
CREATE TABLE "review_allegations" (
	"review_id" uuid NOT NULL,
	"allegation_id" uuid NOT NULL,
	CONSTRAINT "review_allegations_review_id_allegation_id_pk" PRIMARY KEY("review_id","allegation_id")
);
--> statement-breakpoint
ALTER TABLE "disciplinary_reviews" ADD CONSTRAINT "disciplinary_reviews_officer_id_officers_id_fk" FOREIGN KEY ("officer_id") REFERENCES "public"."officers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disciplinary_reviews" ADD CONSTRAINT "disciplinary_reviews_opened_by_principals_id_fk" FOREIGN KEY ("opened_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disciplinary_reviews" ADD CONSTRAINT "disciplinary_reviews_penalty_penalties_code_fk" FOREIGN KEY ("penalty") REFERENCES "public"."penalties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disciplinary_reviews" ADD CONSTRAINT "disciplinary_reviews_original_penalty_penalties_code_fk" FOREIGN KEY ("original_penalty") REFERENCES "public"."penalties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disciplinary_reviews" ADD CONSTRAINT "disciplinary_reviews_decided_by_principals_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."principals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_allegations" ADD CONSTRAINT "review_allegations_review_id_disciplinary_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."disciplinary_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_allegations" ADD CONSTRAINT "review_allegations_allegation_id_allegations_id_fk" FOREIGN KEY ("allegation_id") REFERENCES "public"."allegations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "disciplinary_reviews_officer_idx" ON "disciplinary_reviews" USING btree ("officer_id","status");--> statement-breakpoint
CREATE INDEX "review_allegations_allegation_idx" ON "review_allegations" USING btree ("allegation_id");