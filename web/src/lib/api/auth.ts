import type { Call } from './request.ts';
import type { Credentials, Me, NewAccount, SetupState, User } from './types.ts';

/** Signing in and out, first-run setup, and who the caller is (`/auth/…`). */
export function authCalls(call: Call) {
  return {
    needsSetup: () => call<SetupState>('GET', '/auth/setup/').then((r) => r.needs_setup),
    /** First-run state, and whether single sign-on is on (the sign-in page's button). */
    setupState: () => call<SetupState>('GET', '/auth/setup/'),
    register: (body: NewAccount) => call<{ user: User }>('POST', '/auth/register/', body),
    login: (body: Credentials) => call<{ user: User }>('POST', '/auth/login/', body),
    /** `end_session_url`: after a single sign-on, where to end the provider's session too. */
    logout: () => call<{ status: string; end_session_url?: string }>('POST', '/auth/logout/'),
    me: () => call<Me>('GET', '/auth/me/'),
  };
}
