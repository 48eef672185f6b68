import { createRouter } from '../create-router.ts';
import * as h from './columns.handlers.ts';
import * as r from './columns.routes.ts';

export const columnsRouter = createRouter()
  .openapi(r.listColumns, h.listColumns)
  .openapi(r.createColumn, h.createColumn)
  .openapi(r.patchColumn, h.patchColumn)
  .openapi(r.putColumn, h.putColumn)
  .openapi(r.deleteColumn, h.deleteColumn)
  .openapi(r.moveColumn, h.moveColumn);
