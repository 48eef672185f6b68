import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { orderingParam, PageQuery, paginated, searchParam } from '../../lib/pagination.ts';
import { PROJECT_ORDERING } from '../../services/projects.ts';
import { BoardSchema, MemberSchema, PROJECT_ROLES, ProjectSchema, ReportSchema } from '../../schemas/projects.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const ProjectKey = z
  .string()
  .trim()
  .transform((k) => k.toUpperCase())
  .pipe(z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, '2-10 letters or digits, starting with a letter'));
const ProjectFields = {
  name: z.string().trim().min(1).max(200),
  key: ProjectKey,
  description: z.string().max(20_000).optional(),
  companies: z.array(Id).max(500).optional(),
};

export const listProjects = createRoute({
  method: 'get',
  path: '/projects',
  tags: ['projects'],
  summary: 'Projects the caller can see, with their role in each',
  request: { query: PageQuery.extend({ search: searchParam, ordering: orderingParam(PROJECT_ORDERING) }) },
  responses: { 200: json(paginated(ProjectSchema, 'Projects'), 'A page of projects'), ...StandardErrors },
});

export const createProject = createRoute({
  method: 'post',
  path: '/projects',
  tags: ['projects'],
  summary: 'Create a project (creator becomes superadmin; default columns To Do, In Progress, Review, Done)',
  request: { body: jsonBody(z.object(ProjectFields).strict().openapi('NewProject')) },
  responses: { 201: json(ProjectSchema, 'Created'), ...errors(400, 401, 403, 409) },
});

export const getProject = createRoute({
  method: 'get',
  path: '/projects/{id}',
  tags: ['projects'],
  request: { params: IdParam },
  responses: { 200: json(ProjectSchema, 'The project'), ...StandardErrors },
});

const ProjectPatchBody = z
  .object({
    name: ProjectFields.name.optional(),
    key: ProjectKey.optional(),
    description: ProjectFields.description,
    companies: ProjectFields.companies,
    archive_after_hours: z.number().int().min(1).max(87_600).nullable().optional(),
  })
  .strict();
/** PATCH and PUT bodies also take the project's read-only fields when unchanged (DRF clients). */
export const ProjectPatch = withReadOnly(ProjectPatchBody, ProjectSchema, 'ProjectPatch');
export const ProjectPut = withReadOnly(
  ProjectPatchBody.required({ name: true, key: true }),
  ProjectSchema,
  'ProjectPut',
);

export const patchProject = createRoute({
  method: 'patch',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Update a project (superadmin)',
  request: {
    params: IdParam,
    body: jsonBody(ProjectPatch.schema),
  },
  responses: { 200: json(ProjectSchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const putProject = putRoute(
  patchProject,
  ProjectPut.schema,
  "Replace a project's editable fields (superadmin; DRF `update`): `name` and `key` are required",
);

export const deleteProject = createRoute({
  method: 'delete',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Delete a project and everything in it (superadmin)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});

export const listMembers = createRoute({
  method: 'get',
  path: '/projects/{id}/members',
  tags: ['projects'],
  request: { params: IdParam, query: PageQuery },
  responses: { 200: json(paginated(MemberSchema, 'Members'), 'A page of members'), ...StandardErrors },
});

export const addMember = createRoute({
  method: 'post',
  path: '/projects/{id}/members',
  tags: ['projects'],
  summary: 'Add a member with a role (superadmin)',
  request: {
    params: IdParam,
    body: jsonBody(z.object({ user_id: Id, role: z.enum(PROJECT_ROLES) }).strict()),
  },
  responses: { 201: json(MemberSchema, 'Added'), ...errors(400, 401, 403, 404, 409) },
});

const MemberParams = z.object({
  id: Id.openapi({ param: { name: 'id', in: 'path' } }),
  user_id: Id.openapi({ param: { name: 'user_id', in: 'path' } }),
});

export const patchMember = createRoute({
  method: 'patch',
  path: '/projects/{id}/members/{user_id}',
  tags: ['projects'],
  summary: "Change a member's role (superadmin); the last superadmin cannot be demoted",
  request: { params: MemberParams, body: jsonBody(z.object({ role: z.enum(PROJECT_ROLES) }).strict()) },
  responses: { 200: json(MemberSchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const removeMember = createRoute({
  method: 'delete',
  path: '/projects/{id}/members/{user_id}',
  tags: ['projects'],
  summary: 'Remove a member (superadmin); the last superadmin cannot be removed',
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' }, ...errors(400, 401, 403, 404, 409) },
});

export const board = createRoute({
  method: 'get',
  path: '/projects/{id}/board',
  tags: ['projects'],
  summary: 'Columns and their non-archived tickets in order, in one call',
  request: { params: IdParam },
  responses: { 200: json(BoardSchema, 'The board'), ...StandardErrors },
});

export const report = createRoute({
  method: 'get',
  path: '/projects/{id}/report',
  tags: ['projects'],
  summary: 'Counts per column, created/done per day, cycle time (managers and up)',
  request: { params: IdParam, query: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }) },
  responses: { 200: json(ReportSchema, 'The report'), ...StandardErrors },
});
