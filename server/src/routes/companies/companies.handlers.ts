import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import * as companies from '../../services/companies.ts';
import { dropUnchanged } from '../compat.ts';
import {
  CompanyPatch,
  CompanyPut,
  type createCompany,
  type deleteCompany,
  type getCompany,
  type listCompanies,
  type patchCompany,
  type putCompany,
} from './companies.routes.ts';

export const listCompaniesHandler: RouteHandler<typeof listCompanies, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await companies.listCompanies(
    c.var.deps.db,
    actor,
    { search: q.search },
    parseOrdering(q.ordering, companies.COMPANY_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createCompanyHandler: RouteHandler<typeof createCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await companies.createCompany(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const getCompanyHandler: RouteHandler<typeof getCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await companies.getCompany(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchCompanyHandler: RouteHandler<typeof patchCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), CompanyPatch, () => companies.getCompany(db, actor, id));
  return c.json(await companies.updateCompany(db, actor, id, body), 200);
};

export const putCompanyHandler: RouteHandler<typeof putCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), CompanyPut, () => companies.getCompany(db, actor, id));
  return c.json(await companies.updateCompany(db, actor, id, body), 200);
};

export const deleteCompanyHandler: RouteHandler<typeof deleteCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await companies.deleteCompany(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};
