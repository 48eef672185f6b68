import { createRouter } from '../create-router.ts';
import * as h from './time.handlers.ts';
import * as r from './time.routes.ts';

export const timeRouter = createRouter()
  .openapi(r.listTime, h.listTime)
  .openapi(r.addTime, h.addTime)
  .openapi(r.patchTime, h.patchTime)
  .openapi(r.deleteTime, h.deleteTime)
  .openapi(r.myTimer, h.myTimer)
  .openapi(r.startTimer, h.startTimer)
  .openapi(r.stopTimer, h.stopTimer)
  .openapi(r.timeReport, h.timeReport);
