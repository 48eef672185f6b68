import { createRoute, z } from '@hono/zod-openapi';
import { errors, IdParam, json, jsonBody, QueryBool, StandardErrors } from '../../lib/openapi.ts';
import { orderingParam, PageQuery, paginated, searchParam } from '../../lib/pagination.ts';
import { USER_ORDERING } from '../../services/users.ts';
import { UserSchema } from '../../schemas/users.ts';
import { putRoute, withReadOnly } from '../compat.ts';

/** Django's username rule: letters, digits and @ . + - _ */
export const Username = z
  .string()
  .trim()
  .min(1)
  .max(150)
  .regex(/^[\w.@+-]+$/, 'Letters, digits and @/./+/-/_ only');
export const Email = z.string().trim().max(254).pipe(z.email());
/** Long enough to matter, short enough that hashing it is not a denial of service. */
export const Password = z.string().min(8, 'At least 8 characters').max(256);
export const PersonName = z.string().trim().max(150);

export const NewUserBody = z
  .object({ username: Username, email: Email, password: Password, name: PersonName.optional() })
  .strict()
  .openapi('NewUser');

const UserPatchBody = z
  .object({
    name: PersonName.optional(),
    email: Email.optional(),
    is_active: z.boolean().optional(),
    is_superuser: z.boolean().optional(),
    password: Password.optional(),
  })
  .strict();
/** PATCH and PUT bodies also take the user's read-only fields when unchanged (DRF clients). */
export const UserPatch = withReadOnly(UserPatchBody, UserSchema, 'UserPatch');
export const UserPut = withReadOnly(UserPatchBody.required({ email: true }), UserSchema, 'UserPut');

export const listUsers = createRoute({
  method: 'get',
  path: '/users',
  tags: ['users'],
  summary: 'List users (staff: for member pickers; not company people)',
  request: {
    query: PageQuery.extend({
      search: searchParam,
      ordering: orderingParam(USER_ORDERING),
      is_active: QueryBool.optional(),
    }),
  },
  responses: { 200: json(paginated(UserSchema, 'Users'), 'A page of users'), ...StandardErrors },
});

export const createUser = createRoute({
  method: 'post',
  path: '/users',
  tags: ['users'],
  summary: 'Create a user (instance superuser)',
  request: { body: jsonBody(NewUserBody) },
  responses: { 201: json(UserSchema, 'Created'), ...errors(400, 401, 403, 409) },
});

export const getUser = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'One user',
  request: { params: IdParam },
  responses: { 200: json(UserSchema, 'The user'), ...StandardErrors },
});

export const patchUser = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Update a user (instance superuser); is_active=false or a new password ends their sessions',
  request: { params: IdParam, body: jsonBody(UserPatch.schema) },
  responses: { 200: json(UserSchema, 'Updated'), ...errors(400, 401, 403, 404, 409) },
});

export const putUser = putRoute(
  patchUser,
  UserPut.schema,
  'Replace a user (instance superuser; DRF `update`): `email` is required, the rest as PATCH',
);
