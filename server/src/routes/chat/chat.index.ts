import { createRouter } from '../create-router.ts';
import * as h from './chat.handlers.ts';
import * as r from './chat.routes.ts';

export const chatRouter = createRouter()
  .openapi(r.listRooms, h.listRooms)
  .openapi(r.listMessages, h.listMessages)
  .openapi(r.sendMessage, h.sendMessage);
