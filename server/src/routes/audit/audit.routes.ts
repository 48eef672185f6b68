import { createRoute, z } from '@hono/zod-openapi';
import { errors, json } from '../../lib/openapi.ts';
import { PageQuery, paginated } from '../../lib/pagination.ts';
import { AUDIT_ACTIONS, AuditEntrySchema } from '../../schemas/audit.ts';

const AuditQuery = PageQuery.extend({
  actor: z.coerce.number().int().min(1).max(2_147_483_647).optional().openapi({ description: 'A user id' }),
  action: z.enum(AUDIT_ACTIONS).optional(),
  since: z.coerce.date().optional().openapi({ description: 'ISO 8601, inclusive' }),
  until: z.coerce.date().optional().openapi({ description: 'ISO 8601, inclusive' }),
});

export const listAudit = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'The instance-wide audit log, newest first (superuser)',
  request: { query: AuditQuery },
  responses: { 200: json(paginated(AuditEntrySchema, 'AuditEntries'), 'One page'), ...errors(400, 401, 403) },
});
