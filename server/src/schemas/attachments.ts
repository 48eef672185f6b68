import { z } from '@hono/zod-openapi';

export const AttachmentSchema = z
  .object({
    id: z.number().int(),
    ticket: z.number().int(),
    uploader: z.number().int().nullable(),
    filename: z.string().openapi({ description: "The client's file name, cleaned; for display only" }),
    content_type: z.string().openapi({ description: 'Sniffed from the bytes, never taken from the client' }),
    size: z.number().int(),
    sha256: z.string(),
    created_at: z.string(),
    download_url: z.string(),
  })
  .openapi('Attachment');

export type Attachment = z.infer<typeof AttachmentSchema>;
