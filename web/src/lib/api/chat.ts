import { query } from './query.ts';
import type { Call } from './request.ts';
import type { ChatMessage, ChatRoom, Page } from './types.ts';

/** Chat rooms and their messages (`/chat/rooms/…`); live messages come over the socket. */
export function chatCalls(call: Call) {
  return {
    /** The ticket's room, created on first use. */
    ticketRoom: (ticket: number) =>
      call<Page<ChatRoom>>('GET', `/chat/rooms/${query({ ticket })}`).then((page) => page.results[0]!),
    /** The rooms the caller may talk in (of one project, or all), most recently active first. */
    chatRooms: (params: { project?: number; page_size?: number } = {}) =>
      call<Page<ChatRoom>>('GET', `/chat/rooms/${query(params)}`),
    /**
     * A page of history, oldest first: the `limit` messages before message `before` (or the
     * newest). Without `before`, `count` is every message of the room. `seq`: the room topic's
     * seq the page was read at (subscribe from it).
     */
    chatHistory: (room: number, params: { before?: number; limit?: number } = {}) =>
      call<Page<ChatMessage> & { seq: number }>('GET', `/chat/rooms/${room}/messages/${query(params)}`),
    /** Sends over REST (the fallback while the socket is down); a repeated `client_id` stores nothing. */
    postChatMessage: (room: number, body: string, clientId: string) =>
      call<ChatMessage>('POST', `/chat/rooms/${room}/messages/`, { body, client_id: clientId }),
  };
}
