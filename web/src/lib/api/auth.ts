import type { Call } from './request.ts';
import type { Credentials, Me, NewAccount, User } from './types.ts';

/** Signing in and out, first-run setup, and who the caller is (`/auth/…`). */
export function authCalls(call: Call) {
  return {
    needsSetup: () => call<{ needs_setup: boolean }>('GET', '/auth/setup/').then((r) => r.needs_setup),
    register: (body: NewAccount) => call<{ user: User }>('POST', '/auth/register/', body),
    login: (body: Credentials) => call<{ user: User }>('POST', '/auth/login/', body),
    logout: () => call<{ status: string }>('POST', '/auth/logout/'),
    me: () => call<Me>('GET', '/auth/me/'),
  };
}
