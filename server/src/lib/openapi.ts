import { z } from '@hono/zod-openapi';
import { ERROR_STATUS } from './errors.ts';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
      message: z.string(),
      details: z.unknown(),
    }),
    detail: z.string().openapi({ description: "The message again, where Django REST Framework's clients read it" }),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  403: 'Visible but not allowed',
  404: 'Not found, or not visible to the caller',
  405: 'Method not allowed at this path (see Allow)',
  409: 'Conflict (stale version, duplicate)',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Refused by another server (its own message)',
  429: 'Too many requests (see Retry-After)',
};

/** The error responses a route can give, each with the envelope schema. */
export function errors(...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_DESCRIPTIONS[s]!, content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
}

/** A JSON response or request body. */
export function json<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body (`required: true`, or zod-openapi skips validating a missing body). */
export function jsonBody<T extends z.ZodTypeAny>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** Database ids: positive 32-bit integers, so an out-of-range id is a 400, never a database error. */
export const Id = z.coerce.number().int().min(1).max(2_147_483_647);
export const IdParam = z.object({ id: Id.openapi({ param: { name: 'id', in: 'path' }, example: 1 }) });

/** Query booleans as DRF's filters read them. */
export const QueryBool = z
  .enum(['true', 'false', '1', '0', 'True', 'False'])
  .transform((v) => v === 'true' || v === '1' || v === 'True');

export const StandardErrors = errors(400, 401, 403, 404);
