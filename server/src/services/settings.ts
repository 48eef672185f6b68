/**
 * The instance's branding: site name, accent colour, logo and favicon (SPEC §8). One row,
 * read by every page load (public: the login page is branded too) and written by superusers.
 */
import type { Executor } from '@laneway/db/client';
import { instanceSettings } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import type { Actor } from '../lib/actor.ts';
import { AppError, forbidden } from '../lib/errors.ts';
import { canManageBranding } from '../policy/index.ts';
import { audit } from './audit.ts';

export const BRAND_IMAGES = ['logo', 'favicon'] as const;
export type BrandImage = (typeof BRAND_IMAGES)[number];

/** Largest logo or favicon, in bytes. */
export const MAX_BRAND_IMAGE_BYTES = 256 * 1024;
/** Raster formats only: an SVG can carry script, and these are served from the app's origin. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/x-icon']);

const DEFAULTS = { siteName: 'Laneway', accentColour: '#4f46e5' };

/** The branding as the API shows it; image URLs change with every update (cache busting). */
export interface BrandingJson {
  site_name: string;
  accent_colour: string;
  logo_url: string | null;
  favicon_url: string | null;
  updated_at: string | null;
}

const ROW = eq(instanceSettings.id, 1);

export async function readBranding(db: Executor): Promise<BrandingJson> {
  const [row] = await db
    .select({
      siteName: instanceSettings.siteName,
      accentColour: instanceSettings.accentColour,
      hasLogo: sql<boolean>`${instanceSettings.logo} is not null`,
      hasFavicon: sql<boolean>`${instanceSettings.favicon} is not null`,
      updatedAt: instanceSettings.updatedAt,
    })
    .from(instanceSettings)
    .where(ROW);
  if (!row)
    return {
      site_name: DEFAULTS.siteName,
      accent_colour: DEFAULTS.accentColour,
      logo_url: null,
      favicon_url: null,
      updated_at: null,
    };
  const version = row.updatedAt.getTime().toString(36);
  return {
    site_name: row.siteName,
    accent_colour: row.accentColour,
    logo_url: row.hasLogo ? `/api/tickets/settings/logo/?v=${version}` : null,
    favicon_url: row.hasFavicon ? `/api/tickets/settings/favicon/?v=${version}` : null,
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Writes some of the row's columns, creating the row with defaults for the rest. */
async function writeSettings(db: Executor, values: Partial<typeof instanceSettings.$inferInsert>): Promise<void> {
  await db
    .insert(instanceSettings)
    .values({ id: 1, ...values })
    .onConflictDoUpdate({ target: instanceSettings.id, set: { ...values, updatedAt: sql`now()` } });
}

export async function updateBranding(
  db: Executor,
  actor: Actor,
  patch: { site_name?: string | undefined; accent_colour?: string | undefined },
): Promise<BrandingJson> {
  if (!canManageBranding(actor)) throw forbidden('Only superusers change the branding');
  const values: Partial<typeof instanceSettings.$inferInsert> = {};
  if (patch.site_name !== undefined) values.siteName = patch.site_name;
  if (patch.accent_colour !== undefined) values.accentColour = patch.accent_colour.toLowerCase();
  if (Object.keys(values).length > 0) {
    await db.transaction(async (tx) => {
      await writeSettings(tx, values);
      await audit(tx, { actorId: actor.id, action: 'settings.changed', data: { ...patch } });
    });
  }
  return readBranding(db);
}

/**
 * Stores a logo or favicon from the request's raw bytes. The type is sniffed from the bytes,
 * never taken from the client: anything but PNG, JPEG, WebP, GIF or ICO is a 415, more than
 * {@link MAX_BRAND_IMAGE_BYTES} a 413.
 */
export async function setBrandImage(
  db: Executor,
  actor: Actor,
  which: BrandImage,
  bytes: Uint8Array,
): Promise<BrandingJson> {
  if (!canManageBranding(actor)) throw forbidden('Only superusers change the branding');
  if (bytes.byteLength === 0) throw new AppError('validation_error', 'The image is empty');
  if (bytes.byteLength > MAX_BRAND_IMAGE_BYTES) {
    throw new AppError('payload_too_large', `The image is larger than ${MAX_BRAND_IMAGE_BYTES / 1024} KB`);
  }
  const type = (await fileTypeFromBuffer(bytes))?.mime;
  if (!type || !IMAGE_TYPES.has(type)) {
    throw new AppError('unsupported_media_type', 'Use a PNG, JPEG, WebP, GIF or ICO image');
  }
  await db.transaction(async (tx) => {
    await writeSettings(tx, which === 'logo' ? { logo: bytes, logoType: type } : { favicon: bytes, faviconType: type });
    await audit(tx, { actorId: actor.id, action: 'settings.changed', data: { [which]: 'set' } });
  });
  return readBranding(db);
}

export async function clearBrandImage(db: Executor, actor: Actor, which: BrandImage): Promise<BrandingJson> {
  if (!canManageBranding(actor)) throw forbidden('Only superusers change the branding');
  await db.transaction(async (tx) => {
    await writeSettings(tx, which === 'logo' ? { logo: null, logoType: null } : { favicon: null, faviconType: null });
    await audit(tx, { actorId: actor.id, action: 'settings.changed', data: { [which]: 'cleared' } });
  });
  return readBranding(db);
}

/** The stored image and its sniffed type, or null when none is set. */
export async function readBrandImage(
  db: Executor,
  which: BrandImage,
): Promise<{ bytes: Uint8Array; type: string } | null> {
  const column = which === 'logo' ? instanceSettings.logo : instanceSettings.favicon;
  const typeColumn = which === 'logo' ? instanceSettings.logoType : instanceSettings.faviconType;
  const [row] = await db.select({ bytes: column, type: typeColumn }).from(instanceSettings).where(ROW);
  return row?.bytes && row.type ? { bytes: row.bytes, type: row.type } : null;
}
