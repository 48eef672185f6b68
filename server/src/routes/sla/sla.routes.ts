import { createRoute } from '@hono/zod-openapi';
import { IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { BusinessHoursSchema, NewSlaTargetSchema, SlaSettingsSchema, SlaTargetSchema } from '../../schemas/sla.ts';

export const getSla = createRoute({
  method: 'get',
  path: '/projects/{id}/sla',
  tags: ['sla'],
  summary: "A project's business hours (null: around the clock) and SLA targets (superadmins)",
  request: { params: IdParam },
  responses: { 200: json(SlaSettingsSchema, 'Settings'), ...StandardErrors },
});

export const addSlaTarget = createRoute({
  method: 'post',
  path: '/projects/{id}/sla',
  tags: ['sla'],
  summary: 'Add a target in business minutes, per priority and optionally per company (new tickets use it)',
  request: { params: IdParam, body: jsonBody(NewSlaTargetSchema) },
  responses: { 201: json(SlaTargetSchema, 'Added'), ...StandardErrors },
});

export const deleteSlaTarget = createRoute({
  method: 'delete',
  path: '/sla/{id}',
  tags: ['sla'],
  summary: 'Remove a target (running clocks keep their due instants)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});

export const putBusinessHours = createRoute({
  method: 'put',
  path: '/projects/{id}/business-hours',
  tags: ['sla'],
  summary: 'Set the business hours SLA clocks count in (time zone, weekdays, hours, holidays)',
  request: { params: IdParam, body: jsonBody(BusinessHoursSchema) },
  responses: { 200: json(BusinessHoursSchema, 'Saved'), ...StandardErrors },
});
