import { z } from '@hono/zod-openapi';

/** What a search hit is: the palette groups by it and each kind opens a different page. */
export const SEARCH_TYPES = ['project', 'ticket', 'comment', 'message'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const SearchResultSchema = z
  .object({
    type: z.enum(SEARCH_TYPES),
    id: z.number().int().openapi({ description: 'The id of the project, ticket, comment or chat message' }),
    project: z.number().int(),
    project_key: z.string(),
    ticket: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The ticket it belongs to (null for projects and project-wide rooms)' }),
    key: z.string().nullable().openapi({ description: 'That ticket\'s key, e.g. "OPS-7"' }),
    room: z.number().int().nullable().openapi({ description: 'The chat room of a message' }),
    title: z
      .string()
      .openapi({ description: "The project's name, or the ticket's title (the room's name for a project-wide room)" }),
    snippet: z
      .string()
      .openapi({ description: 'Plain text around the match (the description, comment or message), as written' }),
    rank: z.number().openapi({ description: 'Higher is better; an exact ticket or project key ranks first' }),
    created_at: z.string(),
  })
  .openapi('SearchResult');

export type SearchResult = z.infer<typeof SearchResultSchema>;
