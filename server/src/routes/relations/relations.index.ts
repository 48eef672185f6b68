import { createRouter } from '../create-router.ts';
import * as h from './relations.handlers.ts';
import * as r from './relations.routes.ts';

export const relationsRouter = createRouter()
  .openapi(r.listRelations, h.listRelations)
  .openapi(r.addRelation, h.addRelation)
  .openapi(r.deleteRelation, h.deleteRelation);
