CREATE TYPE "public"."relation_kind" AS ENUM('relates', 'blocks', 'duplicates');--> statement-breakpoint
CREATE TABLE "ticket_relations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ticket_relations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"from_ticket_id" integer NOT NULL,
	"to_ticket_id" integer NOT NULL,
	"kind" "relation_kind" NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_relations_not_self" CHECK ("ticket_relations"."from_ticket_id" <> "ticket_relations"."to_ticket_id")
);
--> statement-breakpoint
ALTER TABLE "ticket_relations" ADD CONSTRAINT "ticket_relations_from_ticket_id_tickets_id_fk" FOREIGN KEY ("from_ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_relations" ADD CONSTRAINT "ticket_relations_to_ticket_id_tickets_id_fk" FOREIGN KEY ("to_ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_relations" ADD CONSTRAINT "ticket_relations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_relations_uq" ON "ticket_relations" USING btree ("from_ticket_id","to_ticket_id","kind");--> statement-breakpoint
CREATE INDEX "ticket_relations_to_idx" ON "ticket_relations" USING btree ("to_ticket_id","kind");