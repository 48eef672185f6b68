import { OpenAPIHono } from '@hono/zod-openapi';
import { AppError, zodDetails } from '../lib/errors.ts';
import type { AppEnv } from '../deps.ts';

/**
 * A router whose validation failures answer the error envelope (400), like every other error.
 * `strict: false` makes the trailing slash optional, as the old Django router accepted both.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError('validation_error', 'Invalid input', zodDetails(result.error));
      }
    },
  });
}

export type AppRouter = ReturnType<typeof createRouter>;
