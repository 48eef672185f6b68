import { query } from './query.ts';
import type { Call } from './request.ts';
import type { Contact, ContactPatch, NewContact, Page } from './types.ts';

/** The contacts at client companies (`/contacts/…`). */
export function contactCalls(call: Call) {
  return {
    /** A page of the admin's contact list. */
    contacts: (params: { search?: string; page?: number } = {}) =>
      call<Page<Contact>>('GET', `/contacts/${query({ ...params, page_size: 50, ordering: 'name' })}`),
    /** Contacts to pick from, of one company or of all. */
    contactChoices: (company: number | null) =>
      call<Page<Contact>>('GET', `/contacts/${query({ company, page_size: 200, ordering: 'name' })}`),
    createContact: (fields: NewContact) => call<Contact>('POST', '/contacts/', fields),
    patchContact: (id: number, fields: ContactPatch) => call<Contact>('PATCH', `/contacts/${id}/`, fields),
    deleteContact: (id: number) => call<void>('DELETE', `/contacts/${id}/`),
  };
}
