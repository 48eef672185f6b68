import { query, type Call } from './client.ts';
import type { Company } from './settings.ts';
import type { Contact, Page, User } from './types.ts';
export type { Contact };

export interface ContactFields {
  company?: number | null;
  name?: string;
  email?: string;
  phone?: string;
  notes?: string;
}

export interface CompanyFields {
  name?: string;
  slug?: string;
  /** Mail domains: new senders from them become this company's contacts (SPEC §13). */
  domains?: string[];
  admins?: number[];
  users?: number[];
}

/** REST calls for instance administration: users, companies, contacts, branding. */
export function adminCalls(call: Call) {
  return {
    users: (params: { search?: string; page?: number; is_active?: boolean } = {}) =>
      call<Page<User>>('GET', `/users/${query({ ...params, page_size: 50, ordering: 'username' })}`),
    user: (id: number) => call<User>('GET', `/users/${id}/`),
    createUser: (body: { username: string; email: string; password: string; name?: string }) =>
      call<User>('POST', '/users/', body),
    patchUser: (id: number, fields: { name?: string; email?: string; is_active?: boolean; is_superuser?: boolean }) =>
      call<User>('PATCH', `/users/${id}/`, fields),

    createCompany: (fields: CompanyFields & { name: string }) => call<Company>('POST', '/companies/', fields),
    patchCompany: (id: number, fields: CompanyFields) => call<Company>('PATCH', `/companies/${id}/`, fields),
    deleteCompany: (id: number) => call<void>('DELETE', `/companies/${id}/`),

    contacts: (params: { search?: string; page?: number } = {}) =>
      call<Page<Contact>>('GET', `/contacts/${query({ ...params, page_size: 50, ordering: 'name' })}`),
    createContact: (fields: ContactFields & { name: string }) => call<Contact>('POST', '/contacts/', fields),
    patchContact: (id: number, fields: ContactFields) => call<Contact>('PATCH', `/contacts/${id}/`, fields),
    deleteContact: (id: number) => call<void>('DELETE', `/contacts/${id}/`),
  };
}
