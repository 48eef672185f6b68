/**
 * The WebSocket protocol the server speaks (SPEC §6) is typed once, in the server's
 * `realtime/protocol.ts`; the web app imports its types from there. Its runtime constants are
 * mirrored here, checked against the server's at compile time (`satisfies`): importing them
 * as values would bundle zod (about 25 kB gzipped), because the same module builds the
 * server's zod schemas at its top level.
 */
import type { CLOSE as ServerClose, SERVER as ServerTypes } from '../../../../server/src/realtime/protocol.ts';

export type {
  ClientMessage,
  EventMessage,
  PresenceData,
  ServerMessage,
} from '../../../../server/src/realtime/protocol.ts';

/** Server → client message types besides the events themselves. */
export const SERVER = {
  ready: 'ready',
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  resync: 'resync',
  error: 'error',
  pong: 'pong',
  chatAck: 'chat.ack',
} as const satisfies typeof ServerTypes;

/** WebSocket close codes (4xxx are Laneway's own). */
export const CLOSE = {
  goingAway: 1001,
  unauthorized: 4001,
  revoked: 4003,
  resume: 4008,
} as const satisfies typeof ServerClose;
