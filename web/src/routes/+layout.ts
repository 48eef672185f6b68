import { requester } from '#lib/api/request.ts';
import { settingsCalls } from '#lib/api/settings.ts';
import { DEFAULT_BRANDING } from '#lib/branding.ts';
import type { LayoutLoad } from './$types';

/** The instance's branding, for every page (the sign-in pages too): one small public read. */
export const load: LayoutLoad = async ({ fetch }) => {
  try {
    return { branding: await settingsCalls(requester(fetch)).branding() };
  } catch {
    // Branding is decoration: a failed read must not take the page down with it.
    return { branding: DEFAULT_BRANDING };
  }
};
