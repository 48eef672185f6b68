/**
 * SPEC §4 as a table: every API route × every kind of caller, with the status each must get.
 *
 * - 401: not signed in (every route here; public routes are checked on their own).
 * - 404: the caller may not see the thing (ids cannot be probed).
 * - 403: the caller sees it but may not do this.
 * - 200 / 201 / 204: allowed (read or action / create / delete).
 *
 * The actors (see test/world.ts): `outsider` has no project role and no company; `superuser`
 * is the instance superuser and no project member; `superadmin` created the project; `admin`,
 * `manager`, `user` are members with those roles; `companyAdmin` and `companyUser` belong to
 * company A, `otherCompanyUser` to company B, both companies linked to the project (company
 * people see the project and only their own company's tickets).
 *
 * Each row's request is otherwise valid, so the status reflects permissions alone. Rows whose
 * request destroys or changes its target get a fresh target per actor from `setup`.
 */
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { TestApp, TestResponse } from './harness.ts';
import { expectStatus, mintToken, type HttpMethod } from './routes.ts';
import type { ActorName, World } from './world.ts';

/** A 1×1 PNG: the smallest image the branding routes accept. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** The matrix's columns, in the order of every row's `expect` tuple. */
export const MATRIX_ACTORS = [
  'anonymous',
  'outsider',
  'superuser',
  'superadmin',
  'admin',
  'manager',
  'user',
  'companyAdmin',
  'companyUser',
  'otherCompanyUser',
] as const;
export type MatrixActor = (typeof MATRIX_ACTORS)[number];

/** Expected statuses in `MATRIX_ACTORS` order. */
export type Expect = readonly [
  anonymous: number,
  outsider: number,
  superuser: number,
  superadmin: number,
  admin: number,
  manager: number,
  user: number,
  companyAdmin: number,
  companyUser: number,
  otherCompanyUser: number,
];

/** test/world.ts creates every actor with this password. */
export const WORLD_PASSWORD = 'world password 1';

/** Things the matrix needs beyond the world, made once per file by `prepareFixtures`. */
export interface Fixtures {
  /** A user in no project and no company: the target of member and user-admin rows. */
  spareUser: number;
  /** A contact of company A. */
  contactA: number;
  /** A column added to the project, so renaming and moving it disturbs nothing else. */
  spareColumn: number;
  /** The project's "In Progress" column (move target). */
  inProgress: number;
  /** Reported by admin, assigned to `user`: `user` may edit it as its assignee. */
  assignedToUser: number;
  /** A webhook of the project (see `freshWebhook`). */
  webhook: number;
  /** A custom field of the project, so editing and moving it disturbs nothing else. */
  spareField: number;
  /** A mailbox of the project (see `mailboxBody`). */
  mailbox: number;
  /** A canned response of the project. */
  reply: number;
}

export interface MatrixContext {
  t: TestApp;
  w: World;
  fx: Fixtures;
  actor: MatrixActor;
  /** A number unique to this case, for names and keys that must not collide. */
  n: number;
}

export type Vars = Record<string, number | string>;

export interface MatrixRow {
  method: HttpMethod;
  /** The route as registered, under /api/tickets; parameter names do not matter: `/tickets/{id}`. */
  route: string;
  /** The request path: each `{name}` comes from `setup`'s result, the fixtures, or the world. */
  path: string;
  /** Tells apart rows of one path (e.g. `assign`). */
  label?: string;
  /** Prepares this case's target (fresh per actor where the request changes or destroys it). */
  setup?: (ctx: MatrixContext) => Promise<Vars>;
  /** The (valid) request body. */
  body?: (ctx: MatrixContext, vars: Vars) => unknown;
  /** The token to send instead of the actor's world token (never used for `anonymous`). */
  token?: (ctx: MatrixContext) => Promise<string>;
  /** Runs after the request, e.g. to undo a change that would alter the actor for later rows. */
  after?: (ctx: MatrixContext, res: TestResponse) => Promise<void>;
  expect: Expect;
}

// ---------------------------------------------------------------------------------------------
// Setup helpers. They act as the project's superadmin (or the superuser) and fail loudly.

const asSuperadmin = (ctx: MatrixContext) => ({ token: ctx.w.tokens.superadmin });
const asSuperuser = (ctx: MatrixContext) => ({ token: ctx.w.tokens.superuser });

async function freshTicket(ctx: MatrixContext, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await ctx.t.post(
    '/tickets/',
    { project: ctx.w.projectId, title: `Matrix ticket ${ctx.n}`, ...extra },
    asSuperadmin(ctx),
  );
  return expectStatus(res, 201, 'create ticket').body.id;
}

/** A company A ticket: company A's people see it (403 territory), company B's do not (404). */
const freshCompanyATicket = (ctx: MatrixContext) => freshTicket(ctx, { company: ctx.w.companyA });

async function freshArchivedTicket(ctx: MatrixContext): Promise<number> {
  const id = await freshCompanyATicket(ctx);
  expectStatus(await ctx.t.post(`/tickets/${id}/archive/`, undefined, asSuperadmin(ctx)), 200, 'archive');
  return id;
}

/** Company A's ticket reported by `companyUser` (the client who may close and reopen it). */
async function freshClientTicket(ctx: MatrixContext, closed = false): Promise<number> {
  const res = await ctx.t.post(
    '/tickets/',
    { project: ctx.w.projectId, title: `Client ticket ${ctx.n}` },
    { token: ctx.w.tokens.companyUser },
  );
  const id = expectStatus(res, 201, 'create client ticket').body.id as number;
  if (closed) expectStatus(await ctx.t.post(`/tickets/${id}/close/`, undefined, asSuperadmin(ctx)), 200, 'close');
  return id;
}

/** A project shaped like the world's: same members, same linked companies. */
async function freshProject(ctx: MatrixContext): Promise<number> {
  const { t, w } = ctx;
  const res = await t.post(
    '/projects/',
    { name: `Matrix ${ctx.n}`, key: `MX${ctx.n}`, companies: [w.companyA, w.companyB] },
    asSuperadmin(ctx),
  );
  const id = expectStatus(res, 201, 'create project').body.id as number;
  for (const role of ['admin', 'manager', 'user'] as const) {
    const added = await t.post(`/projects/${id}/members/`, { user_id: w.ids[role], role }, asSuperadmin(ctx));
    expectStatus(added, 201, `add ${role}`);
  }
  return id;
}

/** A company whose admin is `companyAdmin` and whose user is `companyUser`. */
async function freshCompany(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(
    '/companies/',
    { name: `Matrix Co ${ctx.n}`, admins: [ctx.w.ids.companyAdmin], users: [ctx.w.ids.companyUser] },
    asSuperuser(ctx),
  );
  return expectStatus(res, 201, 'create company').body.id;
}

async function freshContactA(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post('/contacts/', { name: `Contact ${ctx.n}`, company: ctx.w.companyA }, asSuperuser(ctx));
  return expectStatus(res, 201, 'create contact').body.id;
}

async function freshColumn(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post('/columns/', { project: ctx.w.projectId, name: `Col ${ctx.n}` }, asSuperadmin(ctx));
  return expectStatus(res, 201, 'create column').body.id;
}

async function freshField(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(
    `/projects/${ctx.w.projectId}/fields/`,
    { name: `Field ${ctx.n}`, type: 'text' },
    asSuperadmin(ctx),
  );
  return expectStatus(res, 201, 'create field').body.id;
}

async function freshTag(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post('/tags/', { project: ctx.w.projectId, name: `tag-${ctx.n}` }, asSuperadmin(ctx));
  return expectStatus(res, 201, 'create tag').body.id;
}

/** Makes the spare user a member (role `user`), or not, whatever it was before. */
async function spareMembership(ctx: MatrixContext, member: boolean): Promise<Vars> {
  const { t, w, fx } = ctx;
  await t.del(`/projects/${w.projectId}/members/${fx.spareUser}/`, asSuperadmin(ctx));
  if (member) {
    const res = await t.post(
      `/projects/${w.projectId}/members/`,
      { user_id: fx.spareUser, role: 'user' },
      asSuperadmin(ctx),
    );
    expectStatus(res, 201, 'add spare member');
  }
  return {};
}

/** A checklist item on company A's ticket (edited by company A's staff-side editors only). */
async function freshChecklistItem(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(
    `/tickets/${ctx.w.companyATicket}/checklist/`,
    { text: `Step ${ctx.n}` },
    asSuperadmin(ctx),
  );
  return expectStatus(res, 201, 'create checklist item').body.id;
}

/** A time entry by `superadmin` on company A's ticket (staff only; its author or an admin edits it). */
async function freshTimeEntry(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(`/tickets/${ctx.w.companyATicket}/time/`, { minutes: 5 }, asSuperadmin(ctx));
  return expectStatus(res, 201, 'create time entry').body.id;
}

/** The project's only SLA target (any priority, any company), made afresh. */
async function freshSlaTarget(ctx: MatrixContext): Promise<number> {
  await ctx.t.sql`delete from sla_targets where project_id = ${ctx.w.projectId}`;
  const res = await ctx.t.post(
    `/projects/${ctx.w.projectId}/sla/`,
    { first_response_minutes: 60, resolution_minutes: 600 },
    asSuperadmin(ctx),
  );
  return expectStatus(res, 201, 'create SLA target').body.id;
}

/** A `relates` link from `user`'s ticket to a fresh ticket (visible to staff only). */
async function freshRelation(ctx: MatrixContext): Promise<number> {
  const target = await freshTicket(ctx);
  const res = await ctx.t.post(
    `/tickets/${ctx.w.userTicket}/relations/`,
    { kind: 'relates', ticket: target },
    asSuperadmin(ctx),
  );
  return expectStatus(res, 201, 'create relation').body.id;
}

/** A comment by `companyUser` on company A's ticket (visible to A's people and all staff). */
async function freshComment(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(
    `/tickets/${ctx.w.companyATicket}/comments/`,
    { body: `Comment ${ctx.n}` },
    { token: ctx.w.tokens.companyUser },
  );
  return expectStatus(res, 201, 'create comment').body.id;
}

/** An internal note by the admin on company A's ticket (staff only, decision 0037). */
async function freshNote(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(
    `/tickets/${ctx.w.companyATicket}/comments/`,
    { body: `Note ${ctx.n}`, internal: true },
    { token: ctx.w.tokens.admin },
  );
  return expectStatus(res, 201, 'create note').body.id;
}

/** Company A's ticket room (created on first use by the superadmin's request). */
async function companyARoom(ctx: MatrixContext): Promise<Vars> {
  const res = await ctx.t.get(`/chat/rooms/?ticket=${ctx.w.companyATicket}`, asSuperadmin(ctx));
  return { room: expectStatus(res, 200, 'ticket room').body.results[0].id };
}

/** A fresh notification of `user`: the superadmin assigns them a new ticket. */
async function userNotification(ctx: MatrixContext): Promise<Vars> {
  await freshTicket(ctx, { assignees: [ctx.w.ids.user] });
  const res = await ctx.t.get('/notifications/?unread=true', { token: ctx.w.tokens.user });
  return { notification: expectStatus(res, 200, 'user notifications').body.results[0].id };
}

/**
 * A webhook of the project. Its address is public (the matrix app refuses private ones) and
 * its one event type (`project.created`) is emitted only before the webhook exists, so board
 * changes queue nothing for it.
 */
const webhookBody = (ctx: Pick<MatrixContext, 'w'>) => ({
  project: ctx.w.projectId,
  url: 'https://8.8.8.8/laneway-matrix',
  events: ['project.created'],
});

async function freshWebhook(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post('/webhooks/', webhookBody(ctx), asSuperadmin(ctx));
  return expectStatus(res, 201, 'create webhook').body.id;
}

/** Keeps the project under its webhook limit: every webhook but the fixture's goes again. */
async function dropSpareWebhooks(ctx: MatrixContext): Promise<void> {
  await ctx.t.sql`delete from webhooks where project_id = ${ctx.w.projectId} and id <> ${ctx.fx.webhook}`;
}

/**
 * A mailbox of the project whose IMAP server is a closed loopback port: "test connection"
 * reaches the server's refusal (422) only for those allowed to manage it.
 */
const mailboxBody = (n: number) => ({
  address: `support${n}@acme.example`,
  imap: { host: '127.0.0.1', port: 9, tls: false, username: 'helpdesk', password: 'matrix password' },
});

async function freshMailbox(ctx: MatrixContext): Promise<Vars> {
  const res = await ctx.t.post(`/projects/${ctx.w.projectId}/mailboxes/`, mailboxBody(ctx.n), asSuperadmin(ctx));
  return { box: expectStatus(res, 201, 'create mailbox').body.id };
}

async function freshReply(ctx: MatrixContext): Promise<Vars> {
  const res = await ctx.t.post(
    `/projects/${ctx.w.projectId}/replies/`,
    { name: `Spare reply ${ctx.n}`, body: 'Hello {{contact.name}}' },
    asSuperadmin(ctx),
  );
  return { cannedReply: expectStatus(res, 201, 'create reply').body.id };
}

/** Keeps the project under its mailbox limit: every mailbox but the fixture's goes again. */
async function dropSpareMailboxes(ctx: MatrixContext): Promise<void> {
  await ctx.t.sql`delete from mailboxes where project_id = ${ctx.w.projectId} and id <> ${ctx.fx.mailbox}`;
}

/** A pending delivery attempt: a ping the superadmin queued to a fresh webhook. */
async function freshDelivery(ctx: MatrixContext): Promise<Vars> {
  const webhook = await freshWebhook(ctx);
  const res = await ctx.t.post(`/webhooks/${webhook}/ping/`, undefined, asSuperadmin(ctx));
  return { delivery: expectStatus(res, 202, 'ping webhook').body.id };
}

/** The smallest PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

export function pngUpload(name = 'pixel.png'): FormData {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), name);
  return form;
}

/** A two-row CSV import form, as the import page sends it. */
export function importForm(): FormData {
  const form = new FormData();
  form.append('source', 'csv');
  form.append('file', new Blob(['title,column\nMatrix import,To Do\n'], { type: 'text/csv' }), 'matrix.csv');
  return form;
}

/** An attachment uploaded by `companyUser` to company A's ticket. */
async function freshAttachment(ctx: MatrixContext): Promise<number> {
  const res = await ctx.t.post(`/tickets/${ctx.w.companyATicket}/attachments/`, pngUpload(), {
    token: ctx.w.tokens.companyUser,
  });
  return expectStatus(res, 201, 'upload attachment').body.id;
}

/** The actor's own id (the spare user's for `anonymous`, who has none). */
const selfId = (ctx: MatrixContext) => (ctx.actor === 'anonymous' ? ctx.fx.spareUser : ctx.w.ids[ctx.actor]);

/** A fresh session for the actor, so ending it leaves the world's token alive. */
const freshSession = (ctx: MatrixContext) => mintToken(ctx.t, selfId(ctx));

/** An API token of the actor's (the spare user's for `anonymous`). */
async function freshApiToken(ctx: MatrixContext): Promise<Vars> {
  const token = ctx.actor === 'anonymous' ? await mintToken(ctx.t, ctx.fx.spareUser) : ctx.w.tokens[ctx.actor];
  const res = await ctx.t.post('/auth/tokens/', { name: `matrix ${ctx.n}`, scope: 'read' }, { token });
  return { token: expectStatus(res, 201, 'create API token').body.id };
}

/**
 * Puts the actor's 2FA in a state: `off`, `started` (setup done, not enabled: `code` enables it)
 * or `on` (`nextCode` is a code of the next step, unused; `recovery` an unused recovery code).
 */
async function twoFactor(ctx: MatrixContext, state: 'off' | 'started' | 'on') {
  const id = selfId(ctx);
  const token = ctx.actor === 'anonymous' ? await mintToken(ctx.t, id) : ctx.w.tokens[ctx.actor];
  const su = { token: ctx.w.tokens.superuser };
  expectStatus(await ctx.t.post(`/users/${id}/2fa/reset/`, undefined, su), 204, '2FA reset');
  const out = { code: '', nextCode: '', recovery: '' };
  if (state === 'off') return out;
  const setup = await ctx.t.post('/auth/2fa/setup/', { password: WORLD_PASSWORD }, { token });
  const secret = decodeBase32IgnorePadding(expectStatus(setup, 200, '2FA setup').body.secret);
  const step = Math.floor(Date.now() / 30_000);
  out.code = generateHOTP(secret, BigInt(step), 6);
  out.nextCode = generateHOTP(secret, BigInt(step + 1), 6);
  if (state === 'started') return out;
  const enabled = await ctx.t.post('/auth/2fa/enable/', { code: out.code }, { token });
  out.recovery = expectStatus(enabled, 200, '2FA enable').body.recovery_codes[0];
  return out;
}

/** A pending invitation by the superadmin into the world's project, or by the company admin into company A. */
async function freshInvitation(ctx: MatrixContext, into: 'project' | 'company'): Promise<Vars> {
  const body =
    into === 'project'
      ? { email: `inv-p${ctx.n}@example.com`, projects: [{ project: ctx.w.projectId, role: 'user' }] }
      : { email: `inv-c${ctx.n}@example.com`, company: { id: ctx.w.companyA, role: 'user' } };
  const token = into === 'project' ? ctx.w.tokens.superadmin : ctx.w.tokens.companyAdmin;
  const res = await ctx.t.post('/invitations/', body, { token });
  return { invitation: expectStatus(res, 201, 'invitation').body.id };
}

/** After a route that ended every session of the actor: give the world a working token again. */
async function restoreWorldToken(ctx: MatrixContext): Promise<void> {
  if (ctx.actor === 'anonymous') return;
  const actor: ActorName = ctx.actor;
  ctx.w.tokens[actor] = await mintToken(ctx.t, ctx.w.ids[actor]);
}

export async function prepareFixtures(t: TestApp, w: World): Promise<Fixtures> {
  const su = { token: w.tokens.superuser };
  const sa = { token: w.tokens.superadmin };
  const spare = await t.post(
    '/users/',
    { username: 'spare', email: 'spare@example.com', password: WORLD_PASSWORD, name: 'Spare' },
    su,
  );
  const contact = await t.post('/contacts/', { name: 'Wile E.', company: w.companyA }, su);
  const column = await t.post('/columns/', { project: w.projectId, name: 'Spare column' }, sa);
  const assigned = await t.post(
    '/tickets/',
    { project: w.projectId, title: 'Assigned to user', assignees: [w.ids.user] },
    { token: w.tokens.admin },
  );
  const webhook = await t.post('/webhooks/', webhookBody({ w }), sa);
  const field = await t.post(`/projects/${w.projectId}/fields/`, { name: 'Spare field', type: 'number' }, sa);
  const mailbox = await t.post(`/projects/${w.projectId}/mailboxes/`, mailboxBody(0), sa);
  const reply = await t.post(
    `/projects/${w.projectId}/replies/`,
    { name: 'Greeting', body: 'Hello {{contact.name}}' },
    sa,
  );
  const inProgress = w.columns.find((c) => c.name === 'In Progress');
  if (!inProgress) throw new Error('world has no In Progress column');
  return {
    spareUser: expectStatus(spare, 201, 'spare user').body.id,
    contactA: expectStatus(contact, 201, 'contact').body.id,
    spareColumn: expectStatus(column, 201, 'spare column').body.id,
    inProgress: inProgress.id,
    assignedToUser: expectStatus(assigned, 201, 'assigned ticket').body.id,
    webhook: expectStatus(webhook, 201, 'webhook').body.id,
    spareField: expectStatus(field, 201, 'spare field').body.id,
    mailbox: expectStatus(mailbox, 201, 'mailbox').body.id,
    reply: expectStatus(reply, 201, 'reply').body.id,
  };
}

// ---------------------------------------------------------------------------------------------
// The table. Columns of `expect`:
//           anon  outsider superuser superadmin admin manager user cAdmin cUser otherCo

export const MATRIX: MatrixRow[] = [
  // --- auth (signed-in part; login/register/setup/refresh are public and checked apart) ---
  { method: 'GET', route: '/auth/me', path: '/auth/me/', expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  {
    method: 'PATCH',
    route: '/auth/me',
    path: '/auth/me/',
    body: (ctx) => ({ name: `Name of ${ctx.actor}` }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/logout',
    path: '/auth/logout/',
    token: freshSession,
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/logout-all',
    path: '/auth/logout-all/',
    token: freshSession,
    after: restoreWorldToken,
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/password',
    path: '/auth/password/',
    token: freshSession,
    body: () => ({ current_password: WORLD_PASSWORD, new_password: WORLD_PASSWORD }),
    after: restoreWorldToken,
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },

  // --- users: the directory is for staff (not company people, not the outsider: issue 14 row 6);
  //     managing users is superuser only ---
  { method: 'GET', route: '/users', path: '/users/', expect: [401, 403, 200, 200, 200, 200, 200, 403, 403, 403] },
  {
    method: 'POST',
    route: '/users',
    path: '/users/',
    body: (ctx) => ({
      username: `made${ctx.n}`,
      email: `made${ctx.n}@example.com`,
      password: WORLD_PASSWORD,
      name: 'Made',
    }),
    expect: [401, 403, 201, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/users/{id}',
    path: '/users/{spareUser}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/users/{id}',
    path: '/users/{self}/',
    label: 'self',
    setup: async (ctx) => ({ self: selfId(ctx) }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'PATCH',
    route: '/users/{id}',
    path: '/users/{spareUser}/',
    body: () => ({ name: 'Spare' }),
    expect: [401, 404, 200, 403, 403, 403, 403, 404, 404, 404],
  },
  {
    // DRF's full update (issue 13 item 17): the PATCH rules with the fields a create requires.
    method: 'PUT',
    route: '/users/{id}',
    path: '/users/{spareUser}/',
    body: (ctx) => ({ email: `spare${ctx.n}@example.com`, name: 'Spare' }),
    expect: [401, 404, 200, 403, 403, 403, 403, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/users/{id}',
    path: '/users/{self}/',
    label: 'self',
    setup: async (ctx) => ({ self: selfId(ctx) }),
    body: (ctx) => ({ name: `Name of ${ctx.actor}` }),
    expect: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403],
  },

  // --- companies: superuser manages; a company's admins replace its `users` list ---
  {
    method: 'GET',
    route: '/companies',
    path: '/companies/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/companies',
    path: '/companies/',
    body: (ctx) => ({ name: `New Co ${ctx.n}` }),
    expect: [401, 403, 201, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/companies/{id}',
    path: '/companies/{companyA}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'PATCH',
    route: '/companies/{id}',
    path: '/companies/{companyA}/',
    label: 'people',
    body: (ctx) => ({ users: [ctx.w.ids.companyUser] }),
    expect: [401, 404, 200, 403, 403, 403, 403, 200, 403, 404],
  },
  {
    // Issue 14 row 8: a company admin keeps only people who already belong; another client's
    // person is refused with the same 400 as an unknown id. The superuser's change is undone.
    method: 'PATCH',
    route: '/companies/{id}',
    path: '/companies/{companyA}/',
    label: 'people from another company',
    body: (ctx) => ({ users: [ctx.w.ids.companyUser, ctx.w.ids.otherCompanyUser] }),
    after: async (ctx) => {
      const res = await ctx.t.patch(
        `/companies/${ctx.w.companyA}/`,
        { users: [ctx.w.ids.companyUser] },
        asSuperuser(ctx),
      );
      expectStatus(res, 200, 'restore company A people');
    },
    expect: [401, 404, 200, 403, 403, 403, 403, 400, 403, 404],
  },
  {
    method: 'PATCH',
    route: '/companies/{id}',
    path: '/companies/{companyA}/',
    label: 'name',
    body: () => ({ name: 'Acme' }),
    expect: [401, 404, 200, 403, 403, 403, 403, 403, 403, 404],
  },
  {
    method: 'PUT',
    route: '/companies/{id}',
    path: '/companies/{companyA}/',
    body: () => ({ name: 'Acme' }),
    expect: [401, 404, 200, 403, 403, 403, 403, 403, 403, 404],
  },
  {
    method: 'DELETE',
    route: '/companies/{id}',
    path: '/companies/{company}/',
    setup: async (ctx) => ({ company: await freshCompany(ctx) }),
    expect: [401, 404, 204, 403, 403, 403, 403, 403, 403, 404],
  },

  // --- contacts (issue 14 rows 4 and 6): staff see them all, company people their company's, the
  //     outsider none; the superuser, project superadmins and admins (companies linked to their
  //     projects, and company-less contacts) and company admins (their company's) write them ---
  { method: 'GET', route: '/contacts', path: '/contacts/', expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  {
    method: 'POST',
    route: '/contacts',
    path: '/contacts/',
    label: 'no company',
    body: (ctx) => ({ name: `Contact ${ctx.n}` }),
    expect: [401, 403, 201, 201, 201, 403, 403, 403, 403, 403],
  },
  {
    // A company the caller cannot see is an unknown reference in the body: 400, as for a missing one.
    method: 'POST',
    route: '/contacts',
    path: '/contacts/',
    label: 'company A',
    body: (ctx) => ({ name: `Contact ${ctx.n}`, company: ctx.w.companyA }),
    expect: [401, 400, 201, 201, 201, 403, 403, 201, 403, 400],
  },
  {
    method: 'GET',
    route: '/contacts/{id}',
    path: '/contacts/{contactA}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'PATCH',
    route: '/contacts/{id}',
    path: '/contacts/{contactA}/',
    body: (ctx) => ({ notes: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 403, 200, 403, 404],
  },
  {
    method: 'PUT',
    route: '/contacts/{id}',
    path: '/contacts/{contactA}/',
    body: (ctx) => ({ name: 'Contact A', notes: `Replaced by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 403, 200, 403, 404],
  },
  {
    method: 'DELETE',
    route: '/contacts/{id}',
    path: '/contacts/{contact}/',
    setup: async (ctx) => ({ contact: await freshContactA(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 204, 403, 404],
  },

  // --- projects: the board for members and linked companies; superadmin manages ---
  { method: 'GET', route: '/projects', path: '/projects/', expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  {
    // Company people are clients: they do not open projects. The new project is deleted at once
    // so its creator (the outsider, say) does not become a project member for later rows.
    method: 'POST',
    route: '/projects',
    path: '/projects/',
    body: (ctx) => ({ name: `Created ${ctx.n}`, key: `CR${ctx.n}` }),
    after: async (ctx, res) => {
      if (res.status !== 201) return;
      expectStatus(await ctx.t.del(`/projects/${res.body.id}/`, asSuperuser(ctx)), 204, 'drop created project');
    },
    expect: [401, 201, 201, 201, 201, 201, 201, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/projects/{id}',
    path: '/projects/{projectId}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'PATCH',
    route: '/projects/{id}',
    path: '/projects/{projectId}/',
    body: (ctx) => ({ description: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PUT',
    route: '/projects/{id}',
    path: '/projects/{projectId}/',
    body: (ctx) => ({ name: 'Operations', key: 'OPS', description: `Replaced by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/projects/{id}',
    path: '/projects/{project}/',
    setup: async (ctx) => ({ project: await freshProject(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/projects/{id}/members',
    path: '/projects/{projectId}/members/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/projects/{id}/members',
    path: '/projects/{projectId}/members/',
    setup: (ctx) => spareMembership(ctx, false),
    body: (ctx) => ({ user_id: ctx.fx.spareUser, role: 'user' }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/projects/{id}/members/{user_id}',
    path: '/projects/{projectId}/members/{spareUser}/',
    setup: (ctx) => spareMembership(ctx, true),
    body: () => ({ role: 'manager' }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/projects/{id}/members/{user_id}',
    path: '/projects/{projectId}/members/{spareUser}/',
    setup: (ctx) => spareMembership(ctx, true),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/projects/{id}/board',
    path: '/projects/{projectId}/board/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'GET',
    route: '/projects/{id}/report',
    path: '/projects/{projectId}/report/',
    expect: [401, 404, 200, 200, 200, 200, 403, 403, 403, 403],
  },

  // --- import and export (SPEC §15): whoever may create a project imports one, the superuser into
  // an existing one; superadmins export ---
  {
    method: 'POST',
    route: '/projects/import',
    path: '/projects/import/',
    body: () => importForm(),
    // The queued job is marked done at once: it must not make the caller a member for later rows.
    after: async (ctx, res) => {
      if (res.status === 202) await ctx.t.sql`update imports set status = 'done' where id = ${res.body.id as number}`;
    },
    expect: [401, 202, 202, 202, 202, 202, 202, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/projects/{id}/import',
    path: '/projects/{projectId}/import/',
    body: () => importForm(),
    // Queued only: marked done at once, so no worker adds its ticket to the board of later rows.
    after: async (ctx, res) => {
      if (res.status === 202) await ctx.t.sql`update imports set status = 'done' where id = ${res.body.id as number}`;
    },
    // The superuser only (decision 0054): the project's own superadmin imports into new projects.
    expect: [401, 404, 202, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/imports/preview',
    path: '/imports/preview/',
    body: () => importForm(),
    expect: [401, 200, 200, 200, 200, 200, 200, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/imports/{id}',
    path: '/imports/{import}/',
    setup: async (ctx) => {
      const res = await ctx.t.post('/projects/import/', importForm(), asSuperadmin(ctx));
      const id = expectStatus(res, 202, 'queue import').body.id as number;
      await ctx.t.sql`update imports set status = 'done' where id = ${id}`;
      return { import: id };
    },
    expect: [401, 404, 200, 200, 404, 404, 404, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/projects/{id}/export',
    path: '/projects/{projectId}/export/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },

  // --- columns and tags: visible with the board, managed by the superadmin ---
  {
    method: 'GET',
    route: '/columns',
    path: '/columns/?project={projectId}',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/columns',
    path: '/columns/',
    body: (ctx) => ({ project: ctx.w.projectId, name: `Column ${ctx.n}` }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/columns/{id}',
    path: '/columns/{spareColumn}/',
    body: (ctx) => ({ wip_limit: 5 + ctx.n }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PUT',
    route: '/columns/{id}',
    path: '/columns/{spareColumn}/',
    body: (ctx) => ({ name: 'Spare column', wip_limit: 5 + ctx.n }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/columns/{id}',
    path: '/columns/{column}/',
    setup: async (ctx) => ({ column: await freshColumn(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/columns/{id}/move',
    path: '/columns/{spareColumn}/move/',
    body: () => ({}),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  // --- custom fields: read with the board, managed by the superadmin ---
  {
    method: 'GET',
    route: '/projects/{id}/fields',
    path: '/projects/{projectId}/fields/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/projects/{id}/fields',
    path: '/projects/{projectId}/fields/',
    body: (ctx) => ({ name: `New field ${ctx.n}`, type: 'select', options: [{ label: 'a' }] }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/fields/{id}',
    path: '/fields/{spareField}/',
    body: (ctx) => ({ name: `Spare field ${ctx.n}` }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/fields/{id}',
    path: '/fields/{field}/',
    setup: async (ctx) => ({ field: await freshField(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/fields/{id}/move',
    path: '/fields/{spareField}/move/',
    body: () => ({}),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/tags',
    path: '/tags/?project={projectId}',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/tags',
    path: '/tags/',
    body: (ctx) => ({ project: ctx.w.projectId, name: `new-tag-${ctx.n}`, colour: '#123456' }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/tags/{id}',
    path: '/tags/{tagId}/',
    body: (ctx) => ({ colour: `#00ff${String(ctx.n % 100).padStart(2, '0')}` }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PUT',
    route: '/tags/{id}',
    path: '/tags/{tagId}/',
    body: (ctx) => ({ name: 'bug', colour: `#00ee${String(ctx.n % 100).padStart(2, '0')}` }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/tags/{id}',
    path: '/tags/{tag}/',
    setup: async (ctx) => ({ tag: await freshTag(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/priorities',
    path: '/priorities/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },

  // --- tickets ---
  { method: 'GET', route: '/tickets', path: '/tickets/', expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200] },
  {
    // Company people file for their company (implied when they have one in the project).
    method: 'POST',
    route: '/tickets',
    path: '/tickets/',
    body: (ctx) => ({ project: ctx.w.projectId, title: `New by ${ctx.actor}` }),
    expect: [401, 404, 201, 201, 201, 403, 201, 201, 201, 201],
  },
  {
    method: 'POST',
    route: '/tickets',
    path: '/tickets/',
    label: 'for company A',
    body: (ctx) => ({ project: ctx.w.projectId, title: `For A by ${ctx.actor}`, company: ctx.w.companyA }),
    expect: [401, 404, 201, 201, 201, 403, 201, 201, 201, 403],
  },
  {
    // Everyone signed in may ask; the answer names only the tickets they may see (resolve.test.ts).
    method: 'GET',
    route: '/tickets/resolve',
    path: '/tickets/resolve/?keys=OPS-1,OPS-2,NOPE-9',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'GET',
    route: '/tickets/{id}',
    path: '/tickets/{userTicket}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/tickets/{id}',
    path: '/tickets/{companyATicket}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'GET',
    route: '/tickets/{id}',
    path: '/tickets/{companyBTicket}/',
    expect: [401, 404, 200, 200, 200, 200, 200, 404, 404, 200],
  },
  {
    method: 'PATCH',
    route: '/tickets/{id}',
    path: '/tickets/{userTicket}/',
    body: (ctx) => ({ description: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 200, 404, 404, 404],
  },
  {
    method: 'PUT',
    route: '/tickets/{id}',
    path: '/tickets/{userTicket}/',
    body: (ctx) => ({ title: 'User ticket', description: `Replaced by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 200, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/tickets/{id}',
    path: '/tickets/{assignedToUser}/',
    body: (ctx) => ({ description: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 200, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/tickets/{id}',
    path: '/tickets/{otherTicket}/',
    body: (ctx) => ({ description: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 403, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/tickets/{id}',
    path: '/tickets/{companyATicket}/',
    body: (ctx) => ({ description: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 404],
  },
  {
    // Assigning is for admins and up, even on a ticket the caller may otherwise edit.
    method: 'PATCH',
    route: '/tickets/{id}',
    path: '/tickets/{userTicket}/',
    label: 'assign',
    setup: async (ctx) => {
      const res = await ctx.t.patch(`/tickets/${ctx.w.userTicket}/`, { assignees: [] }, asSuperadmin(ctx));
      expectStatus(res, 200, 'unassign');
      return {};
    },
    body: (ctx) => ({ assignees: [ctx.w.ids.admin] }),
    expect: [401, 404, 200, 200, 200, 403, 403, 404, 404, 404],
  },
  {
    method: 'DELETE',
    route: '/tickets/{id}',
    path: '/tickets/{ticket}/',
    setup: async (ctx) => ({ ticket: await freshCompanyATicket(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/move',
    path: '/tickets/{userTicket}/move/',
    body: (ctx) => ({ column: ctx.fx.inProgress }),
    expect: [401, 404, 200, 200, 200, 403, 200, 404, 404, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/move',
    path: '/tickets/{companyATicket}/move/',
    body: (ctx) => ({ column: ctx.fx.inProgress }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 404],
  },
  // --- close and reopen (decision 0038): who may move it, and the client who reported it ---
  {
    method: 'POST',
    route: '/tickets/{id}/close',
    path: '/tickets/{ticket}/close/',
    setup: async (ctx) => ({ ticket: await freshClientTicket(ctx) }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 200, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/reopen',
    path: '/tickets/{ticket}/reopen/',
    setup: async (ctx) => ({ ticket: await freshClientTicket(ctx, true) }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 200, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/archive',
    path: '/tickets/{ticket}/archive/',
    setup: async (ctx) => ({ ticket: await freshCompanyATicket(ctx) }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/unarchive',
    path: '/tickets/{ticket}/unarchive/',
    setup: async (ctx) => ({ ticket: await freshArchivedTicket(ctx) }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 404],
  },

  // --- discussion: anyone who sees the ticket; authors edit; authors, admins and up delete ---
  {
    method: 'GET',
    route: '/tickets/{id}/comments',
    path: '/tickets/{companyATicket}/comments/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  // --- relations: both ends visible, the `from` ticket editable ---
  {
    method: 'GET',
    route: '/tickets/{id}/relations',
    path: '/tickets/{companyATicket}/relations/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/relations',
    path: '/tickets/{userTicket}/relations/',
    setup: async (ctx) => ({ target: await freshTicket(ctx) }),
    body: (_ctx, vars) => ({ kind: 'blocks', ticket: vars.target }),
    expect: [401, 404, 201, 201, 201, 403, 201, 404, 404, 404],
  },
  {
    method: 'DELETE',
    route: '/relations/{id}',
    path: '/relations/{relation}/',
    setup: async (ctx) => ({ relation: await freshRelation(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 204, 404, 404, 404],
  },
  // --- time: staff only (company people: 404); workers log their own, admins correct anyone's ---
  {
    method: 'GET',
    route: '/tickets/{id}/time',
    path: '/tickets/{companyATicket}/time/',
    expect: [401, 404, 200, 200, 200, 200, 200, 404, 404, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/time',
    path: '/tickets/{companyATicket}/time/',
    body: () => ({ minutes: 5 }),
    expect: [401, 404, 201, 201, 201, 403, 201, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/time-entries/{id}',
    path: '/time-entries/{entry}/',
    setup: async (ctx) => ({ entry: await freshTimeEntry(ctx) }),
    body: () => ({ minutes: 6 }),
    expect: [401, 404, 200, 200, 200, 403, 403, 404, 404, 404],
  },
  {
    method: 'DELETE',
    route: '/time-entries/{id}',
    path: '/time-entries/{entry}/',
    setup: async (ctx) => ({ entry: await freshTimeEntry(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/timer',
    path: '/timer/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/timer/start',
    path: '/tickets/{companyATicket}/timer/start/',
    expect: [401, 404, 200, 200, 200, 403, 200, 404, 404, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/timer/stop',
    path: '/tickets/{companyATicket}/timer/stop/',
    expect: [401, 404, 200, 200, 200, 200, 200, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/projects/{id}/reports/time',
    path: '/projects/{projectId}/reports/time/?month=2026-12',
    expect: [401, 404, 200, 200, 200, 200, 403, 404, 404, 404],
  },
  // --- SLA settings: the project's superadmins ---
  {
    method: 'GET',
    route: '/projects/{id}/sla',
    path: '/projects/{projectId}/sla/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/projects/{id}/sla',
    path: '/projects/{projectId}/sla/',
    setup: async (ctx) => {
      await ctx.t.sql`delete from sla_targets where project_id = ${ctx.w.projectId}`;
      return {};
    },
    body: () => ({ first_response_minutes: 60, resolution_minutes: 600 }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/sla/{id}',
    path: '/sla/{target}/',
    setup: async (ctx) => ({ target: await freshSlaTarget(ctx) }),
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PUT',
    route: '/projects/{id}/business-hours',
    path: '/projects/{projectId}/business-hours/',
    body: () => ({ timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  // --- checklists: read with the ticket, changed by whoever may edit the ticket ---
  {
    method: 'GET',
    route: '/tickets/{id}/checklist',
    path: '/tickets/{companyATicket}/checklist/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/checklist',
    path: '/tickets/{companyATicket}/checklist/',
    body: (ctx) => ({ text: `Step by ${ctx.actor}` }),
    expect: [401, 404, 201, 201, 201, 403, 403, 403, 403, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/checklist',
    path: '/tickets/{userTicket}/checklist/',
    body: (ctx) => ({ text: `Step by ${ctx.actor}` }),
    expect: [401, 404, 201, 201, 201, 403, 201, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/checklist-items/{id}',
    path: '/checklist-items/{item}/',
    setup: async (ctx) => ({ item: await freshChecklistItem(ctx) }),
    body: () => ({ done: true }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 404],
  },
  {
    method: 'DELETE',
    route: '/checklist-items/{id}',
    path: '/checklist-items/{item}/',
    setup: async (ctx) => ({ item: await freshChecklistItem(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 403, 403, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/comments',
    path: '/tickets/{companyATicket}/comments/',
    body: (ctx) => ({ body: `Comment by ${ctx.actor}` }),
    expect: [401, 404, 201, 201, 201, 201, 201, 201, 201, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/comments',
    path: '/tickets/{userTicket}/comments/',
    body: (ctx) => ({ body: `Comment by ${ctx.actor}` }),
    expect: [401, 404, 201, 201, 201, 201, 201, 404, 404, 404],
  },
  // Internal notes (SPEC §4): staff write them; company people may not (403 on their own ticket).
  {
    method: 'POST',
    route: '/tickets/{id}/comments',
    path: '/tickets/{companyATicket}/comments/',
    body: (ctx) => ({ body: `Note by ${ctx.actor}`, internal: true }),
    expect: [401, 404, 201, 201, 201, 201, 201, 403, 403, 404],
  },
  // A note is not there for company people: editing or deleting one is a 404, as for an unknown id.
  {
    method: 'PATCH',
    route: '/comments/{id}',
    path: '/comments/{note}/',
    setup: async (ctx) => ({ note: await freshNote(ctx) }),
    body: (ctx) => ({ body: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 403, 403, 200, 403, 403, 404, 404, 404],
  },
  {
    method: 'DELETE',
    route: '/comments/{id}',
    path: '/comments/{note}/',
    setup: async (ctx) => ({ note: await freshNote(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 404, 404, 404],
  },
  {
    method: 'PATCH',
    route: '/comments/{id}',
    path: '/comments/{comment}/',
    setup: async (ctx) => ({ comment: await freshComment(ctx) }),
    body: (ctx) => ({ body: `Edited by ${ctx.actor}` }),
    expect: [401, 404, 403, 403, 403, 403, 403, 403, 200, 404],
  },
  {
    method: 'DELETE',
    route: '/comments/{id}',
    path: '/comments/{comment}/',
    setup: async (ctx) => ({ comment: await freshComment(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 403, 204, 404],
  },
  {
    method: 'GET',
    route: '/tickets/{id}/attachments',
    path: '/tickets/{companyATicket}/attachments/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'POST',
    route: '/tickets/{id}/attachments',
    path: '/tickets/{companyATicket}/attachments/',
    body: () => pngUpload(),
    expect: [401, 404, 201, 201, 201, 201, 201, 201, 201, 404],
  },
  {
    method: 'GET',
    route: '/attachments/{id}/download',
    path: '/attachments/{attachment}/download/',
    setup: async (ctx) => ({ attachment: await freshAttachment(ctx) }),
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'DELETE',
    route: '/attachments/{id}',
    path: '/attachments/{attachment}/',
    setup: async (ctx) => ({ attachment: await freshAttachment(ctx) }),
    expect: [401, 404, 204, 204, 204, 403, 403, 403, 204, 404],
  },
  {
    method: 'GET',
    route: '/tickets/{id}/activity',
    path: '/tickets/{companyATicket}/activity/',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },

  // --- chat: a ticket's room is for whoever can discuss the ticket ---
  {
    method: 'GET',
    route: '/chat/rooms',
    path: '/chat/rooms/?ticket={companyATicket}',
    label: 'ticket',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'GET',
    route: '/chat/rooms',
    path: '/chat/rooms/?project={projectId}',
    label: 'project',
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'GET',
    route: '/chat/rooms/{id}/messages',
    path: '/chat/rooms/{room}/messages/',
    setup: companyARoom,
    expect: [401, 404, 200, 200, 200, 200, 200, 200, 200, 404],
  },
  {
    method: 'POST',
    route: '/chat/rooms/{id}/messages',
    path: '/chat/rooms/{room}/messages/',
    setup: companyARoom,
    body: (ctx) => ({ body: `Hello from ${ctx.actor}`, client_id: `matrix-${ctx.n}` }),
    expect: [401, 404, 201, 201, 201, 201, 201, 201, 201, 404],
  },

  // --- search: everyone signed in may search; each finds only what they may see ---
  {
    method: 'GET',
    route: '/search',
    path: '/search/?q=acme%20printer',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    after: async (ctx, res) => {
      if (res.status !== 200) return;
      const sees = !['outsider', 'otherCompanyUser'].includes(ctx.actor);
      const found = (res.body.results as { type: string; id: number }[]).some(
        (hit) => hit.type === 'ticket' && hit.id === ctx.w.companyATicket,
      );
      if (found !== sees) throw new Error(`${ctx.actor} ${sees ? 'should' : 'should not'} find company A's ticket`);
    },
  },

  // --- notifications: each person's own ---
  {
    method: 'GET',
    route: '/notifications',
    path: '/notifications/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/notifications/{id}/read',
    path: '/notifications/{notification}/read/',
    setup: userNotification,
    expect: [401, 404, 404, 404, 404, 404, 200, 404, 404, 404],
  },
  {
    method: 'POST',
    route: '/notifications/read-all',
    path: '/notifications/read-all/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  // Notification preferences: everyone's own (issue 13 item 15).
  {
    method: 'GET',
    route: '/notifications/preferences',
    path: '/notifications/preferences/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'PATCH',
    route: '/notifications/preferences',
    path: '/notifications/preferences/',
    body: () => ({ preferences: { chat: 'in_app' } }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },

  // --- webhooks: managed by the superuser and the project's superadmins; seen, not shown, by others ---
  {
    method: 'GET',
    route: '/webhooks',
    path: '/webhooks/?project={projectId}',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/webhooks',
    path: '/webhooks/',
    body: (ctx) => webhookBody(ctx),
    after: dropSpareWebhooks,
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/webhooks/{id}',
    path: '/webhooks/{webhook}/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/webhooks/{id}',
    path: '/webhooks/{webhook}/',
    body: () => ({ events: ['project.created'], is_active: true }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/webhooks/{id}',
    path: '/webhooks/{hook}/',
    setup: async (ctx) => ({ hook: await freshWebhook(ctx) }),
    after: dropSpareWebhooks,
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/webhooks/{id}/rotate',
    path: '/webhooks/{webhook}/rotate/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/webhooks/{id}/deliveries',
    path: '/webhooks/{webhook}/deliveries/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/webhooks/{id}/ping',
    path: '/webhooks/{webhook}/ping/',
    expect: [401, 404, 202, 202, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/webhooks/deliveries/{id}/redeliver',
    path: '/webhooks/deliveries/{delivery}/redeliver/',
    setup: freshDelivery,
    after: dropSpareWebhooks,
    expect: [401, 404, 202, 202, 403, 403, 403, 403, 403, 403],
  },

  // --- mailboxes (SPEC §13): like webhooks, the superuser's and the project superadmins' ---
  {
    method: 'GET',
    route: '/projects/{id}/mailboxes',
    path: '/projects/{projectId}/mailboxes/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/projects/{id}/mailboxes',
    path: '/projects/{projectId}/mailboxes/',
    body: (ctx) => mailboxBody(ctx.n),
    after: dropSpareMailboxes,
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/mailboxes/{id}',
    path: '/mailboxes/{mailbox}/',
    body: () => ({ accept_from: 'anyone', is_active: true }),
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/mailboxes/{id}',
    path: '/mailboxes/{box}/',
    setup: freshMailbox,
    after: dropSpareMailboxes,
    expect: [401, 404, 204, 204, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/mailboxes/{id}/test',
    path: '/mailboxes/{mailbox}/test/',
    // 422: allowed, and the (closed) IMAP port's refusal came back as the answer.
    expect: [401, 404, 422, 422, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'GET',
    route: '/mailboxes/{id}/log',
    path: '/mailboxes/{mailbox}/log/',
    expect: [401, 404, 200, 200, 403, 403, 403, 403, 403, 403],
  },

  // --- canned responses: staff use them, superadmins and admins write them ---
  {
    method: 'GET',
    route: '/projects/{id}/replies',
    path: '/projects/{projectId}/replies/',
    expect: [401, 404, 200, 200, 200, 200, 200, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/projects/{id}/replies',
    path: '/projects/{projectId}/replies/',
    body: (ctx) => ({ name: `Matrix reply ${ctx.n}`, body: 'Thanks, {{contact.name}}.' }),
    expect: [401, 404, 201, 201, 201, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/replies/{id}',
    path: '/replies/{reply}/',
    body: () => ({ body: 'Hello {{contact.name}}, this is {{agent.name}}.' }),
    expect: [401, 404, 200, 200, 200, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/replies/{id}',
    path: '/replies/{cannedReply}/',
    setup: freshReply,
    expect: [401, 404, 204, 204, 204, 403, 403, 403, 403, 403],
  },
  {
    method: 'PATCH',
    route: '/settings',
    path: '/settings/',
    // The default colour: the instance looks the same to the rows after this one.
    body: () => ({ accent_colour: '#4f46e5' }),
    expect: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'PUT',
    route: '/settings/{image}',
    path: '/settings/logo/',
    body: () => TINY_PNG,
    expect: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/settings/{image}',
    path: '/settings/logo/',
    expect: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403],
  },

  // --- accounts (SPEC §11) ---
  { method: 'GET', route: '/audit', path: '/audit/', expect: [401, 403, 200, 403, 403, 403, 403, 403, 403, 403] },
  // API tokens are everyone's own: each actor lists, makes and revokes theirs.
  {
    method: 'GET',
    route: '/auth/tokens',
    path: '/auth/tokens/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/tokens',
    path: '/auth/tokens/',
    body: () => ({ name: 'matrix', scope: 'read' }),
    expect: [401, 201, 201, 201, 201, 201, 201, 201, 201, 201],
  },
  {
    method: 'DELETE',
    route: '/auth/tokens/{id}',
    path: '/auth/tokens/{token}/',
    setup: freshApiToken,
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  {
    method: 'DELETE',
    route: '/auth/tokens/{id}',
    path: '/auth/tokens/{token}/',
    label: "another's",
    setup: async (ctx) => freshApiToken({ ...ctx, actor: 'admin' }),
    expect: [401, 404, 404, 404, 204, 404, 404, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/auth/sessions',
    path: '/auth/sessions/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'DELETE',
    route: '/auth/sessions/{id}',
    path: '/auth/sessions/{session}/',
    setup: async (ctx) => ({ session: (await freshSession(ctx)).split('.')[0]! }),
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  {
    method: 'DELETE',
    route: '/auth/sessions/{id}',
    path: '/auth/sessions/{session}/',
    label: "another's",
    setup: async (ctx) => ({ session: (await mintToken(ctx.t, ctx.w.ids.admin)).split('.')[0]! }),
    expect: [401, 404, 404, 404, 204, 404, 404, 404, 404, 404],
  },
  // Two-factor: everyone manages their own; each row starts from 2FA off (see `twoFactor`).
  {
    method: 'POST',
    route: '/auth/2fa/setup',
    path: '/auth/2fa/setup/',
    setup: async (ctx) => (await twoFactor(ctx, 'off'), {}),
    body: () => ({ password: WORLD_PASSWORD }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/2fa/enable',
    path: '/auth/2fa/enable/',
    setup: async (ctx) => ({ code: (await twoFactor(ctx, 'started')).code }),
    body: (_ctx, vars) => ({ code: vars.code }),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/2fa/recovery-codes',
    path: '/auth/2fa/recovery-codes/',
    setup: async (ctx) => ({ code: (await twoFactor(ctx, 'on')).nextCode }),
    body: (_ctx, vars) => ({ code: vars.code }),
    after: async (ctx) => void (await twoFactor(ctx, 'off')),
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'POST',
    route: '/auth/2fa/disable',
    path: '/auth/2fa/disable/',
    setup: async (ctx) => ({ recovery: (await twoFactor(ctx, 'on')).recovery }),
    body: (_ctx, vars) => ({ password: WORLD_PASSWORD, recovery_code: vars.recovery }),
    after: async (ctx) => void (await twoFactor(ctx, 'off')),
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  {
    method: 'POST',
    route: '/users/{id}/2fa/reset',
    path: '/users/{spareUser}/2fa/reset/',
    expect: [401, 404, 204, 403, 403, 403, 403, 404, 404, 404],
  },
  // Single sign-on: each manages their own links. The matrix's app has no provider configured,
  // so starting a link is a 404 for everyone signed in (routes/oidc tests it with one).
  {
    method: 'POST',
    route: '/auth/oidc/link',
    path: '/auth/oidc/link/',
    expect: [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
  },
  {
    method: 'GET',
    route: '/auth/oidc/identities',
    path: '/auth/oidc/identities/',
    expect: [401, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  },
  {
    method: 'DELETE',
    route: '/auth/oidc/identities/{id}',
    path: '/auth/oidc/identities/{identity}/',
    setup: async (ctx) => ({ identity: await linkIdentity(ctx, selfId(ctx)) }),
    expect: [401, 204, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  {
    method: 'DELETE',
    route: '/auth/oidc/identities/{id}',
    path: '/auth/oidc/identities/{identity}/',
    label: "another's",
    setup: async (ctx) => ({ identity: await linkIdentity(ctx, ctx.w.ids.admin) }),
    expect: [401, 404, 404, 404, 204, 404, 404, 404, 404, 404],
  },
  // Invitations (SPEC §11): the superuser into anything, superadmins into their projects,
  // company admins into their company as users.
  {
    method: 'POST',
    route: '/invitations',
    path: '/invitations/',
    label: 'into the project',
    body: (ctx) => ({ email: `into-p${ctx.n}@example.com`, projects: [{ project: ctx.w.projectId, role: 'user' }] }),
    expect: [401, 404, 201, 201, 403, 403, 403, 403, 403, 403],
  },
  {
    method: 'POST',
    route: '/invitations',
    path: '/invitations/',
    label: 'into company A as user',
    body: (ctx) => ({ email: `into-c${ctx.n}@example.com`, company: { id: ctx.w.companyA, role: 'user' } }),
    expect: [401, 404, 201, 403, 403, 403, 403, 201, 403, 404],
  },
  {
    method: 'POST',
    route: '/invitations',
    path: '/invitations/',
    label: 'into company A as admin',
    body: (ctx) => ({ email: `into-ca${ctx.n}@example.com`, company: { id: ctx.w.companyA, role: 'admin' } }),
    expect: [401, 404, 201, 403, 403, 403, 403, 403, 403, 404],
  },
  {
    method: 'GET',
    route: '/invitations',
    path: '/invitations/',
    expect: [401, 403, 200, 200, 403, 403, 403, 200, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/invitations/{id}',
    path: '/invitations/{invitation}/',
    label: 'into the project',
    setup: (ctx) => freshInvitation(ctx, 'project'),
    expect: [401, 404, 204, 204, 404, 404, 404, 404, 404, 404],
  },
  {
    method: 'DELETE',
    route: '/invitations/{id}',
    path: '/invitations/{invitation}/',
    label: 'into company A',
    setup: (ctx) => freshInvitation(ctx, 'company'),
    expect: [401, 404, 204, 404, 404, 404, 404, 204, 404, 404],
  },
];

/** A provider account linked to `userId`, as a sign-in would leave it; its id. */
async function linkIdentity(ctx: MatrixContext, userId: number): Promise<number> {
  const [row] = await ctx.t.sql`
    insert into user_identities (user_id, issuer, subject, email)
    values (${userId}, 'https://id.example.com', ${`matrix-${ctx.n}`}, '')
    returning id`;
  return row!.id as number;
}

/** `PATCH /tickets/{userTicket} (assign)`: how a row is named in test titles. */
export const rowTitle = (row: MatrixRow) =>
  `${row.method} ${row.path.replace(/\/(?=$|\?)/, '')}${row.label ? ` (${row.label})` : ''}`;

/** Fills `{name}` placeholders of a row's path. */
export function fillPath(template: string, vars: Vars): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** The world's and fixtures' ids by name, for path placeholders. */
export function baseVars(w: World, fx: Fixtures): Vars {
  return {
    projectId: w.projectId,
    companyA: w.companyA,
    companyB: w.companyB,
    userTicket: w.userTicket,
    companyATicket: w.companyATicket,
    companyBTicket: w.companyBTicket,
    otherTicket: w.otherTicket,
    tagId: w.tagId,
    ...fx,
  };
}
