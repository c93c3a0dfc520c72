DROP INDEX "officer_assignments_unit_idx";--> statement-breakpoint
DROP INDEX "allegations_officer_idx";--> statement-breakpoint
DROP INDEX "commendations_officer_idx";--> statement-breakpoint
CREATE INDEX "officer_assignments_unit_idx" ON "officer_assignments" USING btree ("unit_id","from_date","to_date","officer_id");--> statement-breakpoint
CREATE INDEX "allegations_officer_idx" ON "allegations" USING btree ("officer_id","created_at","id");--> statement-breakpoint
CREATE INDEX "commendations_officer_idx" ON "commendations" USING btree ("officer_id","occurred_at","id");