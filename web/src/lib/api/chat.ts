import { query, type Call } from './client.ts';
import type { ChatMessage, ChatRoom, Company, Notification, Page, Ticket, User } from './types.ts';
export type { ChatMessage, ChatRoom, Company, Notification };

export type NotificationKind = 'assigned' | 'mentioned' | 'commented' | 'chat' | 'done' | 'webhook_disabled';

/** A ticket filed from the client portal: the server fills in the column, and the company when there is one. */
export interface NewClientTicket {
  project: number;
  title: string;
  description?: string;
  company?: number;
}

/** REST calls for chat rooms and messages, notifications and the client portal. */
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
    /** One user (staff may look anyone up; company people only themselves). */
    userById: (id: number) => call<User>('GET', `/users/${id}/`),

    notifications: (params: { unread?: boolean; page_size?: number } = {}) =>
      call<Page<Notification> & { seq: number }>('GET', `/notifications/${query(params)}`),
    readNotification: (id: number) => call<Notification>('POST', `/notifications/${id}/read/`),
    readAllNotifications: () => call<{ updated: number }>('POST', '/notifications/read-all/'),

    /** Tickets the caller can see (a company person: their companies'), most recently updated first. */
    portalTickets: (params: { project?: number; page?: number; page_size?: number; search?: string } = {}) =>
      call<Page<Ticket>>('GET', `/tickets/${query({ ordering: '-updated_at', page_size: 50, ...params })}`),
    portalTicket: (id: number) => call<Ticket>('GET', `/tickets/${id}/`),
    fileTicket: (body: NewClientTicket) => call<Ticket>('POST', '/tickets/', body),
    myCompanies: () => call<Page<Company>>('GET', '/companies/?page_size=200'),
  };
}
