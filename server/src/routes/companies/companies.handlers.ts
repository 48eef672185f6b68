import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import {
  authorize,
  canManageCompanies,
  canSeeCompany,
  canUpdateCompany,
  visibleCompanies,
} from '../../policy/index.ts';
import { loadActorProfile } from '../../policy/load.ts';
import * as companies from '../../services/companies.ts';
import type { createCompany, deleteCompany, getCompany, listCompanies, patchCompany } from './companies.routes.ts';

export const listCompaniesHandler: RouteHandler<typeof listCompanies, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const q = c.req.valid('query');
  const page = await companies.listCompanies(
    db,
    visibleCompanies(await loadActorProfile(db, actor)),
    { search: q.search },
    parseOrdering(q.ordering, companies.COMPANY_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createCompanyHandler: RouteHandler<typeof createCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  authorize(true, canManageCompanies(actor));
  const company = await companies.createCompany(c.var.deps.db, c.req.valid('json'));
  return c.json(companies.serializeCompany(company), 201);
};

export const getCompanyHandler: RouteHandler<typeof getCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  authorize(canSeeCompany(await loadActorProfile(db, actor), id), true);
  return c.json(companies.serializeCompany(await companies.getCompany(db, id)), 200);
};

export const patchCompanyHandler: RouteHandler<typeof patchCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  const patch = c.req.valid('json');
  const profile = await loadActorProfile(db, actor);
  const fields = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
  authorize(
    canSeeCompany(profile, id),
    canUpdateCompany(profile, id, fields),
    "Only an instance superuser may change a company's name, slug or admins",
  );
  return c.json(companies.serializeCompany(await companies.updateCompany(db, id, patch)), 200);
};

export const deleteCompanyHandler: RouteHandler<typeof deleteCompany, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db } = c.var.deps;
  const { id } = c.req.valid('param');
  authorize(canSeeCompany(await loadActorProfile(db, actor), id), canManageCompanies(actor));
  await companies.deleteCompany(db, id);
  return c.body(null, 204);
};
