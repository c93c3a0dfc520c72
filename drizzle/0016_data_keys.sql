ALTER TABLE "complaints" ALTER COLUMN "narrative_sealed" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "complaints" ADD COLUMN "data_key" text;--> statement-breakpoint
ALTER TABLE "commendations" ADD COLUMN "data_key" text;--> statement-breakpoint
CREATE INDEX "complaints_unsealed_idx" ON "complaints" USING btree ("id") WHERE "complaints"."data_key" is null;--> statement-breakpoint
CREATE INDEX "commendations_unsealed_idx" ON "commendations" USING btree ("id") WHERE "commendations"."data_key" is null;