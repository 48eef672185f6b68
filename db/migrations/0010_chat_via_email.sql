CREATE TYPE "public"."chat_via" AS ENUM('app', 'email');--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "contact_id" integer;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "via" "chat_via" DEFAULT 'app' NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "email_message_id" text;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_messages_email_uq" ON "chat_messages" USING btree ("email_message_id") WHERE email_message_id is not null;