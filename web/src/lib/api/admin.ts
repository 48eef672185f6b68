import type { Call } from './client.ts';

/** REST calls for instance administration: users, companies, contacts, branding. */
export function adminCalls(_call: Call) {
  return {};
}
