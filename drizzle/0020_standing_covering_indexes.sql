DROP INDEX "allegations_officer_idx";--> statement-breakpoint
CREATE INDEX "complaints_registered_status_idx" ON "complaints" USING btree ("id","registered_at","status");--> statement-breakpoint
CREATE INDEX "allegations_officer_idx" ON "allegations" USING btree ("officer_id","created_at","id","complaint_id","category","finding");