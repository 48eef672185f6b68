import { z } from '@hono/zod-openapi';

export const CommentSchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int(),
    author: z.number().int().nullable(),
    parent: z.number().int().nullable().openapi({ description: 'The comment this one replies to' }),
    body: z.string().openapi({ description: "Markdown, as written; '' when deleted" }),
    internal: z.boolean().openapi({
      description: 'A staff-only note: company people never see it nor its replies (which are internal too)',
    }),
    created_at: z.string(),
    edited_at: z.string().nullable(),
    deleted: z.boolean().openapi({ description: 'A tombstone kept so the thread below it keeps its place' }),
  })
  .openapi('Comment');

export type Comment = z.infer<typeof CommentSchema>;

/** A comment as its events carry it: with its ticket's company, which the hub filters company subscribers by. */
export type CommentEvent = Comment & { company: number | null };
