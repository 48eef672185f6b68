import { createRouter } from '../create-router.ts';
import {
  createContactHandler,
  deleteContactHandler,
  getContactHandler,
  listContactsHandler,
  patchContactHandler,
} from './contacts.handlers.ts';
import { createContact, deleteContact, getContact, listContacts, patchContact } from './contacts.routes.ts';

export const contactsRouter = createRouter()
  .openapi(listContacts, listContactsHandler)
  .openapi(createContact, createContactHandler)
  .openapi(getContact, getContactHandler)
  .openapi(patchContact, patchContactHandler)
  .openapi(deleteContact, deleteContactHandler);
