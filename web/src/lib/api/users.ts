import { query } from './query.ts';
import type { Call } from './request.ts';
import type { NewUser, Page, User, UserPatch } from './types.ts';

/** People (`/users/…`): the admin's directory, and looking someone up. */
export function userCalls(call: Call) {
  return {
    users: (params: { search?: string; page?: number; is_active?: boolean } = {}) =>
      call<Page<User>>('GET', `/users/${query({ ...params, page_size: 50, ordering: 'username' })}`),
    /** One user (staff may look anyone up; company people only themselves). */
    user: (id: number) => call<User>('GET', `/users/${id}/`),
    /** Active users matching a username, name or email (project superadmins may list them to add members). */
    findUsers: (search: string) =>
      call<Page<User>>('GET', `/users/${query({ search, is_active: true, page_size: 20, ordering: 'username' })}`),
    createUser: (body: NewUser) => call<User>('POST', '/users/', body),
    patchUser: (id: number, fields: UserPatch) => call<User>('PATCH', `/users/${id}/`, fields),
  };
}
