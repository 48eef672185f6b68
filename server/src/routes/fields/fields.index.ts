import { createRouter } from '../create-router.ts';
import * as h from './fields.handlers.ts';
import * as r from './fields.routes.ts';

export const fieldsRouter = createRouter()
  .openapi(r.listFields, h.listFields)
  .openapi(r.createField, h.createField)
  .openapi(r.patchField, h.patchField)
  .openapi(r.deleteField, h.deleteField)
  .openapi(r.moveField, h.moveField);
