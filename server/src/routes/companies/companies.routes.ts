import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { orderingParam, PageQuery, paginated, searchParam } from '../../lib/pagination.ts';
import { COMPANY_ORDERING } from '../../services/companies.ts';
import { CompanySchema, RefId } from '../../schemas/companies.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const CompanyName = z.string().trim().min(1).max(200);
const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single hyphens only');
/** A mail domain such as `acme.example`: lower-cased, no `@`, at least one dot. */
const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'A domain name such as acme.example');
const Domains = z.array(Domain).max(100).openapi({ description: 'Each domain belongs to one company at most' });
/** A list of user ids; a company with thousands of admins is a mistake, not a use case. */
const UserIds = z.array(RefId).max(5000);

const NewCompanyBody = z
  .object({
    name: CompanyName,
    slug: Slug.optional().openapi({ description: 'Derived from the name when omitted' }),
    domains: Domains.default([]),
    admins: UserIds.default([]),
    users: UserIds.default([]),
  })
  .strict()
  .openapi('NewCompany');

const CompanyPatchBody = z
  .object({
    name: CompanyName.optional(),
    slug: Slug.optional(),
    domains: Domains.optional(),
    admins: UserIds.optional(),
    users: UserIds.optional().openapi({ description: "The only field a company's own admins may change" }),
  })
  .strict();
/** PATCH and PUT bodies also take the company's read-only fields when unchanged (DRF clients). */
export const CompanyPatch = withReadOnly(CompanyPatchBody, CompanySchema, 'CompanyPatch');
export const CompanyPut = withReadOnly(CompanyPatchBody.required({ name: true }), CompanySchema, 'CompanyPut');

export const listCompanies = createRoute({
  method: 'get',
  path: '/companies',
  tags: ['companies'],
  summary: 'List companies (staff: all; company people: their own)',
  request: {
    query: PageQuery.extend({ search: searchParam, ordering: orderingParam(COMPANY_ORDERING) }),
  },
  responses: { 200: json(paginated(CompanySchema, 'Companies'), 'A page of companies'), ...StandardErrors },
});

export const createCompany = createRoute({
  method: 'post',
  path: '/companies',
  tags: ['companies'],
  summary: 'Create a company (instance superuser)',
  request: { body: jsonBody(NewCompanyBody) },
  responses: { 201: json(CompanySchema, 'Created'), ...errors(400, 401, 403, 409) },
});

export const getCompany = createRoute({
  method: 'get',
  path: '/companies/{id}',
  tags: ['companies'],
  summary: 'One company',
  request: { params: IdParam },
  responses: { 200: json(CompanySchema, 'The company'), ...StandardErrors },
});

export const patchCompany = createRoute({
  method: 'patch',
  path: '/companies/{id}',
  tags: ['companies'],
  summary: 'Update a company (instance superuser); its own admins may replace its `users` list',
  request: { params: IdParam, body: jsonBody(CompanyPatch.schema) },
  responses: { 200: json(CompanySchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const putCompany = putRoute(
  patchCompany,
  CompanyPut.schema,
  'Replace a company (DRF `update`): `name` is required, the rest as PATCH',
);

export const deleteCompany = createRoute({
  method: 'delete',
  path: '/companies/{id}',
  tags: ['companies'],
  summary: 'Delete a company (instance superuser); its contacts and tickets keep no company',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
