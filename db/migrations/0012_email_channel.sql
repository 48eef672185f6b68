CREATE TYPE "public"."ticket_source" AS ENUM('web', 'email');--> statement-breakpoint
CREATE TYPE "public"."chat_via" AS ENUM('app', 'email');--> statement-breakpoint
CREATE TYPE "public"."mail_accept_from" AS ENUM('contacts', 'company_domains', 'anyone');--> statement-breakpoint
CREATE TYPE "public"."mail_outcome" AS ENUM('imported', 'appended', 'ignored', 'refused');--> statement-breakpoint
CREATE TABLE "canned_replies" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "canned_replies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"project_id" integer NOT NULL,
	"name" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_messages" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mail_messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"mailbox_id" integer NOT NULL,
	"message_id" text NOT NULL,
	"outcome" "mail_outcome" NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"sender" text DEFAULT '' NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"ticket_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailboxes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mailboxes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"project_id" integer NOT NULL,
	"address" text NOT NULL,
	"imap_host" text NOT NULL,
	"imap_port" integer DEFAULT 993 NOT NULL,
	"imap_tls" boolean DEFAULT true NOT NULL,
	"imap_username" text NOT NULL,
	"imap_password" text NOT NULL,
	"imap_folder" text DEFAULT 'INBOX' NOT NULL,
	"imported_folder" text DEFAULT 'Laneway/Imported' NOT NULL,
	"intake_column_id" integer,
	"default_priority_id" integer,
	"accept_from" "mail_accept_from" DEFAULT 'anyone' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"inbound_token_hash" text,
	"last_polled_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "domains" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "source" "ticket_source" DEFAULT 'web' NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "contact_id" integer;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "via" "chat_via" DEFAULT 'app' NOT NULL;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD COLUMN "email_message_id" text;--> statement-breakpoint
ALTER TABLE "canned_replies" ADD CONSTRAINT "canned_replies_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD CONSTRAINT "mail_messages_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_messages" ADD CONSTRAINT "mail_messages_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_intake_column_id_columns_id_fk" FOREIGN KEY ("intake_column_id") REFERENCES "public"."columns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_default_priority_id_priorities_id_fk" FOREIGN KEY ("default_priority_id") REFERENCES "public"."priorities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "canned_replies_project_name_uq" ON "canned_replies" USING btree ("project_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "mail_messages_mailbox_message_uq" ON "mail_messages" USING btree ("mailbox_id","message_id");--> statement-breakpoint
CREATE INDEX "mail_messages_mailbox_idx" ON "mail_messages" USING btree ("mailbox_id","id");--> statement-breakpoint
CREATE INDEX "mail_messages_sender_idx" ON "mail_messages" USING btree ("mailbox_id","sender","created_at") WHERE outcome = 'imported';--> statement-breakpoint
CREATE INDEX "mailboxes_project_idx" ON "mailboxes" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mailboxes_inbound_token_uq" ON "mailboxes" USING btree ("inbound_token_hash");--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "companies_domains_gin" ON "companies" USING gin ("domains");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_messages_email_uq" ON "chat_messages" USING btree ("email_message_id") WHERE email_message_id is not null;