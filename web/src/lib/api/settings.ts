import { query, type Call } from './client.ts';
import type {
  Category,
  Column,
  Company,
  Delivery,
  Member,
  Page,
  Project,
  ProjectRole,
  Report,
  Tag,
  Ticket,
  User,
  Webhook,
  WebhookWithSecret,
} from './types.ts';
export type { Company, Delivery, Report, Webhook, WebhookWithSecret };

export interface ColumnFields {
  name?: string;
  category?: Category;
  wip_limit?: number | null;
}

/** REST calls for project settings (columns, tags, members, companies, webhooks) and reports. */
export function settingsCalls(call: Call) {
  return {
    columns: (project: number) => call<Page<Column>>('GET', `/columns/${query({ project, page_size: 200 })}`),
    createColumn: (project: number, fields: ColumnFields & { name: string }) =>
      call<Column>('POST', '/columns/', { project, ...fields }),
    patchColumn: (id: number, fields: ColumnFields) => call<Column>('PATCH', `/columns/${id}/`, fields),
    /** Deletes a column; with `moveTo`, its tickets (archived too) move there first, in one transaction. */
    deleteColumn: (id: number, moveTo?: number) => call<void>('DELETE', `/columns/${id}/${query({ move_to: moveTo })}`),
    /** `after`: place it right of that column; `before`: left of it. */
    moveColumn: (id: number, target: { before?: number; after?: number }) =>
      call<Column>('POST', `/columns/${id}/move/`, target),
    /** A column's tickets, archived or not (the server refuses to delete a column that holds any). */
    columnTickets: (project: number, column: number, archived: boolean) =>
      call<Page<Ticket>>('GET', `/tickets/${query({ project, column, is_archived: archived, page_size: 200 })}`),

    createTag: (project: number, fields: { name: string; colour: string }) =>
      call<Tag>('POST', '/tags/', { project, ...fields }),
    patchTag: (id: number, fields: { name?: string; colour?: string }) => call<Tag>('PATCH', `/tags/${id}/`, fields),
    deleteTag: (id: number) => call<void>('DELETE', `/tags/${id}/`),

    /** Staff users matching a username, name or email (project superadmins may list them to add members). */
    findUsers: (search: string) =>
      call<Page<User>>('GET', `/users/${query({ search, is_active: true, page_size: 20, ordering: 'username' })}`),
    addMember: (project: number, userId: number, role: ProjectRole) =>
      call<Member>('POST', `/projects/${project}/members/`, { user_id: userId, role }),
    setMemberRole: (project: number, userId: number, role: ProjectRole) =>
      call<Member>('PATCH', `/projects/${project}/members/${userId}/`, { role }),
    removeMember: (project: number, userId: number) => call<void>('DELETE', `/projects/${project}/members/${userId}/`),

    companies: (search = '') =>
      call<Page<Company>>('GET', `/companies/${query({ search, page_size: 200, ordering: 'name' })}`),
    patchProject: (id: number, fields: { name?: string; description?: string; companies?: number[] }) =>
      call<Project>('PATCH', `/projects/${id}/`, fields),

    webhooks: (project: number) => call<Page<Webhook>>('GET', `/webhooks/${query({ project, page_size: 200 })}`),
    createWebhook: (project: number, fields: { url: string; events: string[]; is_active?: boolean }) =>
      call<WebhookWithSecret>('POST', '/webhooks/', { project, ...fields }),
    patchWebhook: (id: number, fields: { url?: string; events?: string[]; is_active?: boolean }) =>
      call<Webhook>('PATCH', `/webhooks/${id}/`, fields),
    deleteWebhook: (id: number) => call<void>('DELETE', `/webhooks/${id}/`),
    rotateWebhookSecret: (id: number) => call<WebhookWithSecret>('POST', `/webhooks/${id}/rotate/`),
    pingWebhook: (id: number) => call<Delivery>('POST', `/webhooks/${id}/ping/`),
    deliveries: (id: number, page = 1) =>
      call<Page<Delivery>>('GET', `/webhooks/${id}/deliveries/${query({ page, page_size: 50 })}`),
    redeliver: (deliveryId: number) => call<Delivery>('POST', `/webhooks/deliveries/${deliveryId}/redeliver/`),

    report: (project: number, days: number) => call<Report>('GET', `/projects/${project}/report/${query({ days })}`),
  };
}
