import { createRouter } from '../create-router.ts';
import * as h from './activity.handlers.ts';
import * as r from './activity.routes.ts';

export const activityRouter = createRouter().openapi(r.listActivity, h.listActivity);
