import { createRouter } from '../create-router.ts';
import * as h from './projects.handlers.ts';
import * as r from './projects.routes.ts';

export const projectsRouter = createRouter()
  .openapi(r.listProjects, h.listProjects)
  .openapi(r.createProject, h.createProject)
  .openapi(r.getProject, h.getProject)
  .openapi(r.patchProject, h.patchProject)
  .openapi(r.putProject, h.putProject)
  .openapi(r.deleteProject, h.deleteProject)
  .openapi(r.listMembers, h.listMembers)
  .openapi(r.addMember, h.addMember)
  .openapi(r.patchMember, h.patchMember)
  .openapi(r.removeMember, h.removeMember)
  .openapi(r.board, h.board)
  .openapi(r.report, h.report);
