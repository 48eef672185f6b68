import { createRouter } from '../create-router.ts';
import * as h from './tags.handlers.ts';
import * as r from './tags.routes.ts';

export const tagsRouter = createRouter()
  .openapi(r.listTags, h.listTags)
  .openapi(r.createTag, h.createTag)
  .openapi(r.patchTag, h.patchTag)
  .openapi(r.putTag, h.putTag)
  .openapi(r.deleteTag, h.deleteTag);
