CREATE TYPE "public"."ticket_source" AS ENUM('web', 'email');--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "source" "ticket_source" DEFAULT 'web' NOT NULL;