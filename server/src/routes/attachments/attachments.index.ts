import { createRouter } from '../create-router.ts';
import * as h from './attachments.handlers.ts';
import * as r from './attachments.routes.ts';

export const attachmentsRouter = createRouter()
  .openapi(r.listAttachments, h.listAttachments)
  .openapi(r.uploadAttachment, h.uploadAttachment)
  .openapi(r.downloadAttachment, h.downloadAttachment)
  .openapi(r.deleteAttachment, h.deleteAttachment);
