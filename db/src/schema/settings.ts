import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { bytea } from './auth.ts';
import { ts } from './_columns.ts';

/**
 * The instance's branding (SPEC §8: logo, favicon and accent colour from settings): one row,
 * id 1, written by a superuser. Images are small (at most 256 KB) and kept in the row, so every
 * instance serves the same bytes without a shared disk. No row means the defaults.
 */
export const instanceSettings = pgTable(
  'instance_settings',
  {
    id: integer('id').primaryKey().default(1),
    siteName: text('site_name').notNull().default('Laneway'),
    /** `#rrggbb`. */
    accentColour: text('accent_colour').notNull().default('#4f46e5'),
    logo: bytea('logo'),
    logoType: text('logo_type'),
    favicon: bytea('favicon'),
    faviconType: text('favicon_type'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('instance_settings_one_row', sql`${t.id} = 1`),
    check('instance_settings_accent_hex', sql`${t.accentColour} ~ '^#[0-9a-f]{6}$'`),
  ],
);
