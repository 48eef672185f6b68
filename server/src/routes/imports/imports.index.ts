import { createRouter } from '../create-router.ts';
import * as h from './imports.handlers.ts';
import * as r from './imports.routes.ts';

/** Import and export (SPEC §15). Mounted before the projects router: `/projects/import` is no project id. */
export const importsRouter = createRouter()
  .openapi(r.importProject, h.importProject)
  .openapi(r.importIntoProject, h.importIntoProject)
  .openapi(r.previewImport, h.previewImport)
  .openapi(r.getImport, h.getImport)
  .openapi(r.exportProject, h.exportProject);
