import { createRouter } from '../create-router.ts';
import * as h from './settings.handlers.ts';
import * as r from './settings.routes.ts';

export const settingsRouter = createRouter()
  .openapi(r.getBranding, h.getBranding)
  .openapi(r.patchBranding, h.patchBranding)
  .openapi(r.getBrandImage, h.getBrandImage)
  .openapi(r.putBrandImage, h.putBrandImage)
  .openapi(r.deleteBrandImage, h.deleteBrandImage);
