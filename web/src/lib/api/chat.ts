import type { Call } from './client.ts';

/** REST calls for chat rooms and messages, notifications and the client portal. */
export function chatCalls(_call: Call) {
  return {};
}
