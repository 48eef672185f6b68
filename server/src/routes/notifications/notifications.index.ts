import { createRouter } from '../create-router.ts';
import * as h from './notifications.handlers.ts';
import * as r from './notifications.routes.ts';

export const notificationsRouter = createRouter()
  .openapi(r.listNotifications, h.listNotifications)
  .openapi(r.getPreferences, h.getPreferences)
  .openapi(r.patchPreferences, h.patchPreferences)
  .openapi(r.readAllNotifications, h.readAllNotifications)
  .openapi(r.readNotification, h.readNotification);
