import { z } from '@hono/zod-openapi';

export const PrioritySchema = z
  .object({ id: z.number().int(), name: z.string(), colour: z.string() })
  .openapi('Priority');

export type Priority = z.infer<typeof PrioritySchema>;
