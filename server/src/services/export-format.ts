/**
 * Laneway's project export, `project.json` inside the `.tar.gz` (decision 0044), as one zod
 * schema. The same shape is what every importer produces: a Trello board or a CSV is turned
 * into this document first, and one writer (`import-writer.ts`) creates the project from it.
 *
 * Ids in the document are the exporting instance's; every reference (a ticket's column, a
 * comment's author) names an id of the document's own lists, and the importer remaps them all.
 * Users are matched on the importing instance by username or email.
 */
import { z } from 'zod';
import { isOrderKey } from './ordering.ts';

export const EXPORT_FORMAT = 'laneway-export';
export const EXPORT_VERSION = 1;

const Id = z.number().int();
const Ref = Id.nullable();
const Time = z.iso.datetime({ offset: true });
const OptTime = Time.nullable();
const Category = z.enum(['todo', 'in_progress', 'done']);

export const ExportUser = z.object({
  id: Id,
  username: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
});

/** A fractional-index order key: one the library refuses would fail every later move beside it. */
const Position = z.string().min(1).refine(isOrderKey, 'Not an order key (fractional index)');

export const ExportColumn = z.object({
  id: Id,
  name: z.string().min(1),
  category: Category,
  wip_limit: z.number().int().nullable(),
  position: Position,
});

export const ExportTag = z.object({ id: Id, name: z.string().min(1), colour: z.string() });

export const ExportField = z.object({
  id: Id,
  name: z.string().min(1),
  type: z.enum(['text', 'number', 'date', 'select', 'multi_select', 'checkbox', 'user', 'url']),
  options: z.array(z.object({ id: Id, label: z.string(), colour: z.string().nullable() })),
  required: z.boolean(),
  show_on_card: z.boolean(),
  position: Position,
});

export const ExportChecklistItem = z.object({ text: z.string(), done: z.boolean(), position: Position });

export const ExportTicket = z.object({
  id: Id,
  number: z.number().int().positive(),
  title: z.string().min(1),
  description: z.string(),
  column: Id,
  position: Position,
  priority: z.number().int().min(1).max(4),
  company: Ref,
  reporter: Ref,
  assignees: z.array(Id),
  tags: z.array(Id),
  due_at: OptTime,
  done_at: OptTime,
  is_archived: z.boolean(),
  archived_at: OptTime,
  fields: z.record(z.string(), z.unknown()),
  source: z.enum(['web', 'email']),
  created_at: Time,
  updated_at: Time,
  checklist: z.array(ExportChecklistItem),
});

export const ExportComment = z.object({
  id: Id,
  ticket: Id,
  author: Ref,
  parent: Ref,
  body: z.string(),
  internal: z.boolean(),
  created_at: Time,
  edited_at: OptTime,
  deleted_at: OptTime,
});

export const ExportRelation = z.object({
  from: Id,
  to: Id,
  kind: z.enum(['relates', 'blocks', 'duplicates']),
  created_by: Ref,
  created_at: Time,
});

export const ExportRoom = z.object({ id: Id, ticket: Ref, name: z.string(), created_at: Time });

export const ExportMessage = z.object({
  room: Id,
  author: Ref,
  body: z.string(),
  via: z.enum(['app', 'email']),
  created_at: Time,
  edited_at: OptTime,
  deleted_at: OptTime,
});

export const ExportActivity = z.object({
  ticket: Ref,
  actor: Ref,
  verb: z.string(),
  data: z.unknown(),
  created_at: Time,
});

export const ExportAttachment = z.object({
  id: Id,
  ticket: Id,
  uploader: Ref,
  filename: z.string(),
  content_type: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  created_at: Time,
  /** Its entry in the archive (`attachments/<id>`), null when the file was missing at export. */
  file: z.string().nullable(),
});

/** The whole of `project.json`. */
export const ExportDoc = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exported_at: Time,
  project: z.object({
    name: z.string().min(1),
    key: z.string().min(1),
    description: z.string(),
    archive_after_hours: z.number().int().nullable(),
  }),
  columns: z.array(ExportColumn).min(1),
  tags: z.array(ExportTag),
  fields: z.array(ExportField),
  tickets: z.array(ExportTicket),
  comments: z.array(ExportComment),
  relations: z.array(ExportRelation),
  chat_rooms: z.array(ExportRoom),
  chat_messages: z.array(ExportMessage),
  activity: z.array(ExportActivity),
  attachments: z.array(ExportAttachment),
  members: z.array(z.object({ user: Id, role: z.enum(['superadmin', 'admin', 'manager', 'user']) })),
  companies: z.array(z.object({ id: Id, name: z.string() })),
  users: z.array(ExportUser),
});
export type ExportDoc = z.infer<typeof ExportDoc>;
export type ExportTicket = z.infer<typeof ExportTicket>;

/** A document with nothing in it yet: the importers fill one in. */
export function emptyDoc(name: string, key: string): ExportDoc {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: new Date().toISOString(),
    project: { name, key, description: '', archive_after_hours: null },
    columns: [],
    tags: [],
    fields: [],
    tickets: [],
    comments: [],
    relations: [],
    chat_rooms: [],
    chat_messages: [],
    activity: [],
    attachments: [],
    members: [],
    companies: [],
    users: [],
  };
}

/** A zod issue path as JSON path text: `$.tickets[3].title`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return (
    '$' +
    path
      .map((p) =>
        typeof p === 'number'
          ? `[${p}]`
          : /^[A-Za-z_]\w*$/.test(String(p))
            ? `.${String(p)}`
            : `[${JSON.stringify(String(p))}]`,
      )
      .join('')
  );
}
