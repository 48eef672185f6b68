/**
 * The WebSocket protocol the server speaks (SPEC §6), typed once on the server: its constants
 * and message types come from `wire.ts`, which has no runtime dependency (the zod schemas stay
 * in the server's `protocol.ts`, of which only the client message type is used here).
 */
export {
  CLOSE,
  EPHEMERAL,
  PRESENCE_TTL_MS,
  SERVER,
  TYPING_TTL_MS,
  isEphemeral,
  type EphemeralMessage,
  type EphemeralUser,
  type EventMessage,
  type TopicMessage,
  type PresenceData,
  type ServerMessage,
  type TypingData,
} from '../../../../server/src/realtime/wire.ts';
export type { ClientMessage } from '../../../../server/src/realtime/protocol.ts';
