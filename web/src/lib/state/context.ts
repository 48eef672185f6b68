import { createContext } from 'svelte';
import type { RealtimeConnection } from '#lib/realtime/connection.svelte.ts';
import type { Notices } from './notices.svelte.ts';
import type { NotificationsState } from './notifications.svelte.ts';
import type { Session } from './session.svelte.ts';
import type { TicketLinks } from './ticket-links.svelte.ts';

/**
 * Typed contexts for the app's state. Each holder is created by a layout and handed down, so
 * nothing about one user lives in a module that server rendering shares between requests.
 */
export const [getNotices, setNotices] = createContext<Notices>();
export const [getSession, setSession] = createContext<Session>();
/** The one WebSocket, created in the browser by the app layout (absent while server rendering). */
export const [getRealtime, setRealtime] = createContext<{ readonly connection: RealtimeConnection | null }>();
/**
 * The signed-in user's notifications (unread count and newest), created by the app layout with
 * the socket (absent before it, and while server rendering).
 */
export const [getNotifications, setNotifications] = createContext<{ readonly current: NotificationsState | null }>();
/** Which ticket keys in Markdown the user may open, resolved once per page (app layout). */
export const [getTicketLinks, setTicketLinks, hasTicketLinks] = createContext<TicketLinks>();
