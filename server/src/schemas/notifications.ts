import { z } from '@hono/zod-openapi';

/** What a notification is about (SPEC §7 `notify`). */
export const NOTIFICATION_KINDS = [
  'assigned',
  'mentioned',
  'commented',
  'chat',
  'done',
  'webhook_disabled',
  'sla_breached',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NotificationSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(NOTIFICATION_KINDS),
    ticket: z.number().int().nullable(),
    actor: z.number().int().nullable().openapi({ description: 'Who caused it' }),
    data: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'ticket_key, title, project, and per kind: comment, room, message, excerpt, column' }),
    created_at: z.string(),
    read_at: z.string().nullable(),
  })
  .openapi('Notification');

export type Notification = z.infer<typeof NotificationSchema>;

/**
 * How a user hears about one kind (issue 13 item 15): `email` (in the app and in the digest
 * mail; the default), `in_app` (in the app only) or `none` (not at all).
 */
export const NOTIFICATION_CHANNELS = ['email', 'in_app', 'none'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

const Channel = z.enum(NOTIFICATION_CHANNELS);

export const NotificationPreferencesSchema = z
  .object({
    preferences: z.object(
      Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Channel])) as Record<NotificationKind, typeof Channel>,
    ),
    mail_configured: z
      .boolean()
      .openapi({ description: 'Whether this server sends mail (SMTP_URL is set); without it nothing is emailed' }),
  })
  .openapi('NotificationPreferences');
export type NotificationPreferences = z.infer<typeof NotificationPreferencesSchema>;

/** A change of some kinds' channels; kinds not named keep theirs. */
export const NotificationPreferencesPatchSchema = z
  .object({
    preferences: z
      .object(
        Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Channel.optional()])) as Record<
          NotificationKind,
          z.ZodOptional<typeof Channel>
        >,
      )
      .strict(),
  })
  .strict()
  .openapi('NotificationPreferencesPatch');
export type NotificationPreferencesPatch = z.infer<typeof NotificationPreferencesPatchSchema>;
