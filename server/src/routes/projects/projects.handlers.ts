import type { RouteHandler } from '@hono/zod-openapi';
import { requireAuth } from '../../auth/middleware.ts';
import type { AppEnv } from '../../deps.ts';
import { pageEnvelope, parseOrdering } from '../../lib/pagination.ts';
import { boardBody } from '../../services/board.ts';
import * as projects from '../../services/projects.ts';
import { dropUnchanged } from '../compat.ts';
import * as r from './projects.routes.ts';

export const listProjects: RouteHandler<typeof r.listProjects, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await projects.listProjects(
    c.var.deps.db,
    actor,
    q.search,
    parseOrdering(q.ordering, projects.PROJECT_ORDERING),
    q,
  );
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const createProject: RouteHandler<typeof r.createProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await projects.createProject(c.var.deps.db, actor, c.req.valid('json')), 201);
};

export const getProject: RouteHandler<typeof r.getProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  return c.json(await projects.getProject(c.var.deps.db, actor, c.req.valid('param').id), 200);
};

export const patchProject: RouteHandler<typeof r.patchProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.ProjectPatch, () => projects.getProject(db, actor, id));
  return c.json(await projects.updateProject(db, actor, id, body), 200);
};

export const putProject: RouteHandler<typeof r.putProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const { db } = c.var.deps;
  const body = await dropUnchanged(c.req.valid('json'), r.ProjectPut, () => projects.getProject(db, actor, id));
  return c.json(await projects.updateProject(db, actor, id, body), 200);
};

export const deleteProject: RouteHandler<typeof r.deleteProject, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  await projects.deleteProject(c.var.deps.db, actor, c.req.valid('param').id);
  return c.body(null, 204);
};

export const listMembers: RouteHandler<typeof r.listMembers, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const q = c.req.valid('query');
  const page = await projects.listMembers(c.var.deps.db, actor, c.req.valid('param').id, q);
  return c.json(pageEnvelope(c.req.url, q, page.count, page.results), 200);
};

export const addMember: RouteHandler<typeof r.addMember, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  const body = c.req.valid('json');
  return c.json(await projects.addMember(c.var.deps.db, actor, id, body.user_id, body.role), 201);
};

export const patchMember: RouteHandler<typeof r.patchMember, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id, user_id } = c.req.valid('param');
  return c.json(await projects.updateMember(c.var.deps.db, actor, id, user_id, c.req.valid('json').role), 200);
};

export const removeMember: RouteHandler<typeof r.removeMember, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id, user_id } = c.req.valid('param');
  await projects.removeMember(c.var.deps.db, actor, id, user_id);
  return c.body(null, 204);
};

export const board: RouteHandler<typeof r.board, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { db, boardCache } = c.var.deps;
  const body = await boardBody(db, boardCache, actor, c.req.valid('param').id);
  // Served as cached bytes (shape: BoardSchema, built by services/board.ts), gzipped when the
  // client accepts it, 304 when it already has this version.
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    ETag: body.etag,
    'Cache-Control': 'private, no-cache',
    Vary: 'Accept-Encoding',
  };
  if (c.req.header('if-none-match') === body.etag) return c.body(null, 304, headers) as never;
  if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
    return c.body(new Uint8Array(body.gzip), 200, { ...headers, 'Content-Encoding': 'gzip' }) as never;
  }
  return c.body(new Uint8Array(body.json), 200, headers) as never;
};

export const report: RouteHandler<typeof r.report, AppEnv> = async (c) => {
  const { actor } = requireAuth(c);
  const { id } = c.req.valid('param');
  return c.json(await projects.projectReport(c.var.deps.db, actor, id, c.req.valid('query').days), 200);
};
