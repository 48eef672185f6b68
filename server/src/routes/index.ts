import type { AppRouter } from '../lib/create-app.ts';
import { authRouter } from './auth/auth.index.ts';
import { usersRouter } from './users/users.index.ts';

/**
 * Every resource router mounted under `/api/tickets` (the old Django router's prefix).
 * Add a resource here and nowhere else.
 */
export const apiRouters: AppRouter[] = [authRouter, usersRouter];
