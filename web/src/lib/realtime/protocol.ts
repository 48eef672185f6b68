/**
 * The web app's one door to the wire format (SPEC §6), typed once on the server: the event
 * registry (`events.ts`: every event type, its payload and activity shapes, its label) and the
 * socket's constants and message types (`wire.ts`). Both have no runtime dependency, so their
 * values come into the bundle without zod or the server; the zod schemas stay in the server's
 * `protocol.ts`, of which only the client message type is used here.
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
  type PresenceData,
  type ServerMessage,
  type TopicMessage,
  type TypingData,
} from '../../../../server/src/realtime/wire.ts';
export {
  EVENTS,
  WEBHOOK_EVENT_TYPES,
  isEventType,
  type ActivityEntry,
  type ActivityVerb,
  type Changed,
  type EventMessage,
  type EventType,
  type TicketMovedActivity,
  type WebhookEventType,
} from '../../../../server/src/realtime/events.ts';
export type { ClientMessage } from '../../../../server/src/realtime/protocol.ts';

/**
 * The end of an exhaustive `switch` over event types or activity verbs (STYLE 16):
 * `default: return unknownEvent(event)` fails to compile while a registered type has no case,
 * so a new event type makes the compiler name every place that must decide about it. Unlike the
 * server's `unhandled` it does not throw: a type this build does not know (a newer server in
 * the middle of a deploy) is skipped, so it cannot stop the events queued after it.
 */
export function unknownEvent(_event: never): void {}
