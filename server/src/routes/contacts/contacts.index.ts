import { createRouter } from '../create-router.ts';
import {
  createContactHandler,
  deleteContactHandler,
  getContactHandler,
  listContactsHandler,
  patchContactHandler,
  putContactHandler,
} from './contacts.handlers.ts';
import { createContact, deleteContact, getContact, listContacts, patchContact, putContact } from './contacts.routes.ts';

export const contactsRouter = createRouter()
  .openapi(listContacts, listContactsHandler)
  .openapi(createContact, createContactHandler)
  .openapi(getContact, getContactHandler)
  .openapi(patchContact, patchContactHandler)
  .openapi(putContact, putContactHandler)
  .openapi(deleteContact, deleteContactHandler);
