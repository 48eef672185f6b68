import { createRoute, z } from '@hono/zod-openapi';
import { IdParam, json, jsonBody, QueryBool, StandardErrors } from '../../lib/openapi.ts';
import { PageQuery, paginatedWithSeq } from '../../lib/pagination.ts';
import {
  NotificationPreferencesPatchSchema,
  NotificationPreferencesSchema,
  NotificationSchema,
} from '../../schemas/notifications.ts';

export const listNotifications = createRoute({
  method: 'get',
  path: '/notifications',
  tags: ['notifications'],
  summary: "The caller's notifications, newest first (`unread=true`: unread only; its `count` is the badge)",
  request: { query: PageQuery.extend({ unread: QueryBool.optional() }) },
  responses: { 200: json(paginatedWithSeq(NotificationSchema, 'Notifications'), 'Notifications'), ...StandardErrors },
});

export const readNotification = createRoute({
  method: 'post',
  path: '/notifications/{id}/read',
  tags: ['notifications'],
  summary: 'Mark one notification read (idempotent)',
  request: { params: IdParam },
  responses: { 200: json(NotificationSchema, 'Read'), ...StandardErrors },
});

export const getPreferences = createRoute({
  method: 'get',
  path: '/notifications/preferences',
  tags: ['notifications'],
  summary: "The caller's channel per notification kind (email, in_app, none), and whether the server sends mail",
  responses: { 200: json(NotificationPreferencesSchema, 'Preferences'), ...StandardErrors },
});

export const patchPreferences = createRoute({
  method: 'patch',
  path: '/notifications/preferences',
  tags: ['notifications'],
  summary: 'Change the channel of some kinds; the others keep theirs',
  request: { body: jsonBody(NotificationPreferencesPatchSchema) },
  responses: { 200: json(NotificationPreferencesSchema, 'Preferences'), ...StandardErrors },
});

export const readAllNotifications = createRoute({
  method: 'post',
  path: '/notifications/read-all',
  tags: ['notifications'],
  summary: 'Mark every unread notification of the caller read',
  responses: {
    200: json(z.object({ updated: z.number().int() }).openapi('ReadAll'), 'How many were unread'),
    ...StandardErrors,
  },
});
