import type { Call } from './client.ts';

/** REST calls for project settings (columns, tags, members, companies, webhooks) and reports. */
export function settingsCalls(_call: Call) {
  return {};
}
