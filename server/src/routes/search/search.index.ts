import { createRouter } from '../create-router.ts';
import * as h from './search.handlers.ts';
import * as r from './search.routes.ts';

export const searchRouter = createRouter().openapi(r.search, h.search);
