DROP INDEX "officer_assignments_officer_idx";--> statement-breakpoint
CREATE INDEX "officers_id_badge_idx" ON "officers" USING btree ("id","badge_number");--> statement-breakpoint
CREATE INDEX "officers_badge_id_idx" ON "officers" USING btree ("badge_number","id");--> statement-breakpoint
CREATE INDEX "officer_assignments_officer_idx" ON "officer_assignments" USING btree ("officer_id","from_date","to_date","unit_id");