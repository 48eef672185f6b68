/**
 * The REST resources the web app reads and the bodies it sends, typed from the server's own
 * schemas (the zod schemas that also generate the OpenAPI document, SPEC §5): a change on the
 * server is a type error here. Type-only imports: nothing of the server or of zod reaches the
 * bundle. Nothing here is written by hand but {@link Page}.
 */
import type { z } from 'zod';
import type { ActivityEntry } from '../../../../server/src/realtime/events.ts';
import type { AttachmentSchema } from '../../../../server/src/schemas/attachments.ts';
import type { MessageSchema, RoomSchema } from '../../../../server/src/schemas/chat.ts';
import type { ColumnSchema } from '../../../../server/src/schemas/columns.ts';
import type { CommentSchema } from '../../../../server/src/schemas/comments.ts';
import type { CompanySchema } from '../../../../server/src/schemas/companies.ts';
import type { ContactSchema } from '../../../../server/src/schemas/contacts.ts';
import type { NotificationSchema } from '../../../../server/src/schemas/notifications.ts';
import type { ImportPreviewSchema, ImportSchema } from '../../../../server/src/schemas/imports.ts';
import type { PrioritySchema } from '../../../../server/src/schemas/priorities.ts';
import type {
  BoardSchema,
  MemberSchema,
  ProjectSchema,
  ReportSchema,
} from '../../../../server/src/schemas/projects.ts';
import type { BrandingSchema } from '../../../../server/src/schemas/settings.ts';
import type { SetupStateSchema } from '../../../../server/src/schemas/sso.ts';
import type { TagSchema } from '../../../../server/src/schemas/tags.ts';
import type { TicketSchema } from '../../../../server/src/schemas/tickets.ts';
import type { MeSchema, UserSchema } from '../../../../server/src/schemas/users.ts';
import type {
  DeliverySchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '../../../../server/src/schemas/webhooks.ts';
import type { login, register } from '../../../../server/src/routes/auth/auth.routes.ts';
import type { sendMessage } from '../../../../server/src/routes/chat/chat.routes.ts';
import type { createColumn, moveColumn, patchColumn } from '../../../../server/src/routes/columns/columns.routes.ts';
import type { createComment } from '../../../../server/src/routes/comments/comments.routes.ts';
import type { createCompany, patchCompany } from '../../../../server/src/routes/companies/companies.routes.ts';
import type { createContact, patchContact } from '../../../../server/src/routes/contacts/contacts.routes.ts';
import type { addMember, createProject, patchProject } from '../../../../server/src/routes/projects/projects.routes.ts';
import type { patchBranding } from '../../../../server/src/routes/settings/settings.routes.ts';
import type { createTag, patchTag } from '../../../../server/src/routes/tags/tags.routes.ts';
import type { createTicket, moveTicket, patchTicket } from '../../../../server/src/routes/tickets/tickets.routes.ts';
import type { createUser, patchUser } from '../../../../server/src/routes/users/users.routes.ts';
import type { createWebhook, patchWebhook } from '../../../../server/src/routes/webhooks/webhooks.routes.ts';

export type {
  NotificationChannel,
  NotificationKind,
  NotificationPreferences,
  NotificationPreferencesPatch,
} from '../../../../server/src/schemas/notifications.ts';
export type { ProjectRole } from '../../../../server/src/schemas/projects.ts';

// --- what the API answers -------------------------------------------------------------------

export type User = z.infer<typeof UserSchema>;
/** `GET /auth/me/`: the caller with their project memberships and company roles. */
export type Me = z.infer<typeof MeSchema>;
export type Project = z.infer<typeof ProjectSchema>;
export type Column = z.infer<typeof ColumnSchema>;
export type Category = Column['category'];
/** A card: `position` is its fractional-index key; cards in a column are ordered by it (byte order). */
export type Ticket = z.infer<typeof TicketSchema>;
export type Tag = z.infer<typeof TagSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type Priority = z.infer<typeof PrioritySchema>;
/** `GET /projects/{id}/board/`: `seq` is the project topic's seq the board was read at. */
export type Board = z.infer<typeof BoardSchema>;
export type Comment = z.infer<typeof CommentSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
/**
 * One activity row, its `data` typed by its verb: the event registry's `ActivityEntry`, which
 * the activity route lists (its OpenAPI schema says only "an object").
 */
export type Activity = ActivityEntry;
export type ChatRoom = z.infer<typeof RoomSchema>;
export type ChatMessage = z.infer<typeof MessageSchema>;
export type Notification = z.infer<typeof NotificationSchema>;
export type Company = z.infer<typeof CompanySchema>;
export type Contact = z.infer<typeof ContactSchema>;
export type Report = z.infer<typeof ReportSchema>;
export type Webhook = z.infer<typeof WebhookSchema>;
/** A webhook as created or rotated: the only time its secret is shown. */
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;
/** One delivery attempt of a webhook message. */
export type Delivery = z.infer<typeof DeliverySchema>;
/** The instance's name, accent colour, logo and favicon (`GET /settings/`). */
export type Branding = z.infer<typeof BrandingSchema>;

/** Every list answer (SPEC §5). */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

// --- what the web app sends -----------------------------------------------------------------

/** A value of a body's input type, with what zod types as `unknown` (coerced ids) taken from its output type. */
type Filled<In, Out> = unknown extends In ? Out : In extends readonly (infer E)[] ? (unknown extends E ? Out : In) : In;

/**
 * The JSON body a route accepts, as a client writes it: the schema's input type (optional
 * defaults, untrimmed strings), except that ids, which the server coerces, are numbers.
 */
type BodyOf<Route> = Route extends {
  request: { body: { content: { 'application/json': { schema: infer S extends z.ZodType } } } };
}
  ? { [K in keyof z.input<S>]: Filled<z.input<S>[K], K extends keyof z.output<S> ? z.output<S>[K] : never> }
  : never;

export type SetupState = z.infer<typeof SetupStateSchema>;
export type Credentials = BodyOf<typeof login>;
export type NewAccount = BodyOf<typeof register>;
export type NewUser = BodyOf<typeof createUser>;
export type UserPatch = BodyOf<typeof patchUser>;
export type NewProject = BodyOf<typeof createProject>;
export type ProjectPatch = BodyOf<typeof patchProject>;
export type NewMember = BodyOf<typeof addMember>;
export type NewColumn = BodyOf<typeof createColumn>;
export type ColumnPatch = BodyOf<typeof patchColumn>;
/** Where a column goes: `after` places it right of that column, `before` left of it. */
export type ColumnPlace = BodyOf<typeof moveColumn>;
export type NewTag = BodyOf<typeof createTag>;
export type TagPatch = BodyOf<typeof patchTag>;
/** A new ticket: without `column` the server picks the first (a client's portal ticket). */
export type NewTicket = BodyOf<typeof createTicket>;
/** The editable fields of a ticket (`PATCH /tickets/{id}/`); `version` makes a stale edit a 409. */
export type TicketPatch = BodyOf<typeof patchTicket>;
/** The body of `POST /tickets/{id}/move/`: `after` is the card just above, `before` the one just below. */
export type MoveBody = BodyOf<typeof moveTicket>;
export type NewComment = BodyOf<typeof createComment>;
export type NewCompany = BodyOf<typeof createCompany>;
export type CompanyPatch = BodyOf<typeof patchCompany>;
export type NewContact = BodyOf<typeof createContact>;
export type ContactPatch = BodyOf<typeof patchContact>;
export type NewWebhook = BodyOf<typeof createWebhook>;
export type WebhookPatch = BodyOf<typeof patchWebhook>;
export type NewChatMessage = BodyOf<typeof sendMessage>;
export type BrandingPatch = BodyOf<typeof patchBranding>;

/** A project import's status, progress and report. */
export type ProjectImport = z.infer<typeof ImportSchema>;
/** A file's header and first rows (CSV), lists (Trello) or counts (export). */
export type ImportPreview = z.infer<typeof ImportPreviewSchema>;
