import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Board, Member, NewProject, Page, Project, ProjectPatch, ProjectRole, Report } from './types.ts';

/** Projects, their board, members and report (`/projects/…`). */
export function projectCalls(call: Call) {
  return {
    projects: () => call<Page<Project>>('GET', '/projects/?page_size=200&ordering=name'),
    createProject: (body: NewProject) => call<Project>('POST', '/projects/', body),
    project: (id: number) => call<Project>('GET', `/projects/${id}/`),
    patchProject: (id: number, fields: ProjectPatch) => call<Project>('PATCH', `/projects/${id}/`, fields),
    board: (id: number) => call<Board>('GET', `/projects/${id}/board/`),
    report: (project: number, days: number) => call<Report>('GET', `/projects/${project}/report/${query({ days })}`),

    members: (id: number) => call<Page<Member>>('GET', `/projects/${id}/members/?page_size=200`),
    addMember: (project: number, userId: number, role: ProjectRole) =>
      call<Member>('POST', `/projects/${project}/members/`, { user_id: userId, role }),
    setMemberRole: (project: number, userId: number, role: ProjectRole) =>
      call<Member>('PATCH', `/projects/${project}/members/${userId}/`, { role }),
    removeMember: (project: number, userId: number) => call<void>('DELETE', `/projects/${project}/members/${userId}/`),
  };
}
