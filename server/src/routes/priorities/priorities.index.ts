import { createRouter } from '../create-router.ts';
import { listPrioritiesHandler } from './priorities.handlers.ts';
import { listPriorities } from './priorities.routes.ts';

export const prioritiesRouter = createRouter().openapi(listPriorities, listPrioritiesHandler);
