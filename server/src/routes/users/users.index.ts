import { createRouter } from '../create-router.ts';
import {
  createUserHandler,
  getUserHandler,
  listUsersHandler,
  patchUserHandler,
  putUserHandler,
} from './users.handlers.ts';
import { createUser, getUser, listUsers, patchUser, putUser } from './users.routes.ts';

export const usersRouter = createRouter()
  .openapi(listUsers, listUsersHandler)
  .openapi(createUser, createUserHandler)
  .openapi(getUser, getUserHandler)
  .openapi(patchUser, patchUserHandler)
  .openapi(putUser, putUserHandler);
