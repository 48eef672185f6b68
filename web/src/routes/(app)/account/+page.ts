import { createApi } from '#lib/api/index.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, parent }) => {
  const { me } = await parent();
  const api = createApi(fetch);
  // Until a user REQUIRE_2FA covers has enrolled, only /auth/me and /auth/2fa/* answer.
  if (me.mfa_setup_required) return { tokens: [], sessions: [], adminOf: [] };
  const adminOf = new Set(me.companies.filter((c) => c.role === 'admin').map((c) => c.company));
  const [tokens, sessions, companies] = await Promise.all([
    api.apiTokens(),
    api.sessions(),
    adminOf.size ? api.companies() : null,
  ]);
  // The companies this user is an admin of: they invite people into them from here.
  return { tokens, sessions, adminOf: (companies?.results ?? []).filter((c) => adminOf.has(c.id)) };
};
