import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Notification, NotificationPreferences, NotificationPreferencesPatch, Page } from './types.ts';

/** The caller's notifications (`/notifications/…`); new ones come over the socket. */
export function notificationCalls(call: Call) {
  return {
    /** The newest notifications, and the user topic's `seq` they were read at. */
    notifications: (params: { unread?: boolean; page_size?: number } = {}) =>
      call<Page<Notification> & { seq: number }>('GET', `/notifications/${query(params)}`),
    readNotification: (id: number) => call<Notification>('POST', `/notifications/${id}/read/`),
    readAllNotifications: () => call<{ updated: number }>('POST', '/notifications/read-all/'),
    /** The caller's channel per kind, and whether the server sends mail at all. */
    notificationPreferences: () => call<NotificationPreferences>('GET', '/notifications/preferences/'),
    setNotificationPreferences: (body: NotificationPreferencesPatch) =>
      call<NotificationPreferences>('PATCH', '/notifications/preferences/', body),
  };
}
