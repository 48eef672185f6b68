CREATE TABLE "instance_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"site_name" text DEFAULT 'Laneway' NOT NULL,
	"accent_colour" text DEFAULT '#4f46e5' NOT NULL,
	"logo" "bytea",
	"logo_type" text,
	"favicon" "bytea",
	"favicon_type" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instance_settings_one_row" CHECK ("instance_settings"."id" = 1),
	CONSTRAINT "instance_settings_accent_hex" CHECK ("instance_settings"."accent_colour" ~ '^#[0-9a-f]{6}$')
);
