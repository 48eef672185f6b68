import { createRoute, z } from '@hono/zod-openapi';
import { errors, Id, IdParam, json, jsonBody, StandardErrors } from '../../lib/openapi.ts';
import { orderingParam, PageQuery, paginated, searchParam } from '../../lib/pagination.ts';
import { CONTACT_ORDERING } from '../../services/contacts.ts';
import { RefId } from '../../schemas/companies.ts';
import { ContactSchema } from '../../schemas/contacts.ts';
import { putRoute, withReadOnly } from '../compat.ts';

const ContactName = z.string().trim().min(1).max(200);
/** Optional: empty is allowed, anything else must be an address. */
const ContactEmail = z
  .string()
  .trim()
  .max(254)
  .pipe(z.union([z.literal(''), z.email()]));
const Phone = z.string().trim().max(50);
const Notes = z.string().max(10_000);

const contactFields = {
  company: RefId.nullable().optional(),
  name: ContactName,
  email: ContactEmail.optional(),
  phone: Phone.optional(),
  notes: Notes.optional(),
};

const NewContactBody = z.object(contactFields).strict().openapi('NewContact');
const ContactPatchBody = z.object({ ...contactFields, name: ContactName.optional() }).strict();
/** PATCH and PUT bodies also take the contact's read-only fields when unchanged (DRF clients). */
export const ContactPatch = withReadOnly(ContactPatchBody, ContactSchema, 'ContactPatch');
export const ContactPut = withReadOnly(ContactPatchBody.required({ name: true }), ContactSchema, 'ContactPut');

export const listContacts = createRoute({
  method: 'get',
  path: '/contacts',
  tags: ['contacts'],
  summary: "List contacts (staff: all; company people: their companies')",
  request: {
    query: PageQuery.extend({
      company: Id.optional().openapi({ description: 'Only contacts of this company' }),
      search: searchParam,
      ordering: orderingParam(CONTACT_ORDERING),
    }),
  },
  responses: { 200: json(paginated(ContactSchema, 'Contacts'), 'A page of contacts'), ...StandardErrors },
});

export const createContact = createRoute({
  method: 'post',
  path: '/contacts',
  tags: ['contacts'],
  summary: "Create a contact (staff; a company's admins for their company)",
  request: { body: jsonBody(NewContactBody) },
  responses: { 201: json(ContactSchema, 'Created'), ...errors(400, 401, 403) },
});

export const getContact = createRoute({
  method: 'get',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: 'One contact',
  request: { params: IdParam },
  responses: { 200: json(ContactSchema, 'The contact'), ...StandardErrors },
});

export const patchContact = createRoute({
  method: 'patch',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: "Update a contact (staff; a company's admins for their company)",
  request: { params: IdParam, body: jsonBody(ContactPatch.schema) },
  responses: { 200: json(ContactSchema, 'Updated'), ...StandardErrors },
});

export const putContact = putRoute(
  patchContact,
  ContactPut.schema,
  'Replace a contact (DRF `update`): `name` is required, the rest as PATCH',
);

export const deleteContact = createRoute({
  method: 'delete',
  path: '/contacts/{id}',
  tags: ['contacts'],
  summary: "Delete a contact (staff; a company's admins for their company)",
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...StandardErrors },
});
