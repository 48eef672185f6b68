import { createRouter } from '../create-router.ts';
import * as h from './checklists.handlers.ts';
import * as r from './checklists.routes.ts';

export const checklistsRouter = createRouter()
  .openapi(r.listChecklist, h.listChecklist)
  .openapi(r.addChecklistItem, h.addChecklistItem)
  .openapi(r.patchChecklistItem, h.patchChecklistItem)
  .openapi(r.deleteChecklistItem, h.deleteChecklistItem);
