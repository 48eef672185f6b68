import type { Call } from './request.ts';
import type { Branding, BrandingPatch } from './types.ts';

/** The instance's branding (`/settings/…`). */
export function settingsCalls(call: Call) {
  return {
    branding: () => call<Branding>('GET', '/settings/'),
    updateBranding: (body: BrandingPatch) => call<Branding>('PATCH', '/settings/', body),
    /** Uploads the logo or favicon as the raw request body. */
    setBrandImage: (which: 'logo' | 'favicon', file: Blob) => call<Branding>('PUT', `/settings/${which}/`, file),
    clearBrandImage: (which: 'logo' | 'favicon') => call<Branding>('DELETE', `/settings/${which}/`),
  };
}
