import { createRouter } from '../../lib/create-app.ts';
import { listPrioritiesHandler } from './priorities.handlers.ts';
import { listPriorities } from './priorities.routes.ts';

export const prioritiesRouter = createRouter().openapi(listPriorities, listPrioritiesHandler);
