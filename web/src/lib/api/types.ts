/**
 * The REST resources the web app reads, typed from the server's own route schemas (the zod
 * schemas that also generate the OpenAPI document, SPEC §5): a change on the server is a type
 * error here. Type-only imports: nothing of the server or of zod reaches the bundle.
 */
import type { z } from 'zod';
import type { ActivitySchema } from '../../../../server/src/schemas/activity.ts';
import type { AttachmentSchema } from '../../../../server/src/schemas/attachments.ts';
import type { MessageSchema, RoomSchema } from '../../../../server/src/schemas/chat.ts';
import type { ColumnSchema } from '../../../../server/src/schemas/columns.ts';
import type { CommentSchema } from '../../../../server/src/schemas/comments.ts';
import type { CompanySchema } from '../../../../server/src/schemas/companies.ts';
import type { ContactSchema } from '../../../../server/src/schemas/contacts.ts';
import type { NotificationSchema } from '../../../../server/src/schemas/notifications.ts';
import type { PrioritySchema } from '../../../../server/src/schemas/priorities.ts';
import type {
  BoardSchema,
  MemberSchema,
  ProjectSchema,
  ReportSchema,
} from '../../../../server/src/schemas/projects.ts';
import type { TagSchema } from '../../../../server/src/schemas/tags.ts';
import type { TicketSchema } from '../../../../server/src/schemas/tickets.ts';
import type { MeSchema, UserSchema } from '../../../../server/src/schemas/users.ts';
import type {
  DeliverySchema,
  WebhookSchema,
  WebhookWithSecretSchema,
} from '../../../../server/src/schemas/webhooks.ts';
import type { MoveBody as MoveBodySchema } from '../../../../server/src/routes/tickets/tickets.routes.ts';

export type User = z.infer<typeof UserSchema>;
/** `GET /auth/me/`: the caller with their project memberships and company roles. */
export type Me = z.infer<typeof MeSchema>;
export type Project = z.infer<typeof ProjectSchema>;
export type ProjectRole = Me['memberships'][number]['role'];
export type Column = z.infer<typeof ColumnSchema>;
export type Category = Column['category'];
/** A card: `position` is its fractional-index key; cards in a column are ordered by it (byte order). */
export type Ticket = z.infer<typeof TicketSchema>;
export type Tag = z.infer<typeof TagSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type Priority = z.infer<typeof PrioritySchema>;
/** `GET /projects/{id}/board/`: `seq` is the project topic's seq the board was read at. */
export type Board = z.infer<typeof BoardSchema>;
/** The body of `POST /tickets/{id}/move/`: `after` is the card just above, `before` the one just below. */
export type MoveBody = z.input<typeof MoveBodySchema>;

export type Comment = z.infer<typeof CommentSchema>;
export type Attachment = z.infer<typeof AttachmentSchema>;
export type Activity = z.infer<typeof ActivitySchema>;
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

/** Every list answer (SPEC §5). */
export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}
