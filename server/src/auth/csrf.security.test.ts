/**
 * Issue 14, row 1: the CSRF origin check of cookie-authenticated requests.
 *
 * The rule (csrfGuard): an unsafe request that carries the session cookie and is not
 * authenticated by a valid `Authorization: Bearer` token must come from our own origin or a
 * configured one: by `Origin`, or, when a request has no `Origin`, by `Sec-Fetch-Site:
 * same-origin`. So a missing `Origin` is refused unless fetch metadata vouches for it (every
 * browser sends `Origin` on unsafe requests; a cookie client that sends neither is not one
 * we can tell from a forgery).
 *
 * The table sends every unsafe route of the OpenAPI document with a session cookie that would
 * be allowed (the control request, from our own origin, gets the permission matrix's 2xx)
 * under every hostile origin × every `Authorization` header, and expects 403 each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestResponse } from '../../../test/harness.ts';
import {
  baseVars,
  fillPath,
  MATRIX,
  MATRIX_ACTORS,
  pngUpload,
  prepareFixtures,
  rowTitle,
  WORLD_PASSWORD,
  type Fixtures,
  type MatrixContext,
  type MatrixRow,
} from '../../../test/permission-matrix.ts';
import { isErrorEnvelope, openApiDocument, operationsOf, routeKey, type Operation } from '../../../test/routes.ts';
import { buildWorld, type World } from '../../../test/world.ts';

const OWN_ORIGIN = 'http://laneway.test';
const EVIL = 'http://evil.example';
const BASIC = 'Basic Zm9vOmJhcg==';

// Built while the file is collected: the table has one test per unsafe operation.
const t: TestApp = await createTestApp();
const OPERATIONS: Operation[] = operationsOf(await openApiDocument(t)).filter((op) => op.method !== 'GET');

let w: World;
let fx: Fixtures;
beforeAll(async () => {
  w = await buildWorld(t);
  fx = await prepareFixtures(t, w);
});
afterAll(() => t.close());

const cookieOf = (token: string) => `session=${token}`;

function expectRefused(res: TestResponse, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
  expect(isErrorEnvelope(res.body)).toBe(true);
  expect(res.body.error.code).toBe('forbidden');
}

describe('issue 14 row 1: CSRF check skipped when any Authorization header is present', () => {
  it('row 1: a cookie request from another origin with `Authorization: Basic` is refused (members, tickets, comments, attachments)', async () => {
    const cookie = cookieOf(w.tokens.superadmin);
    const headers = { cookie, origin: EVIL, authorization: BASIC };
    const member = await t.post(
      `/projects/${w.projectId}/members/`,
      { user_id: fx.spareUser, role: 'user' },
      { token: w.tokens.superadmin },
    );
    expect(member.status).toBe(201);
    const attempts: [string, Promise<TestResponse>][] = [
      ['PATCH member', t.patch(`/projects/${w.projectId}/members/${fx.spareUser}/`, { role: 'admin' }, { headers })],
      ['POST ticket', t.post('/tickets/', { project: w.projectId, title: 'Forged' }, { headers })],
      ['POST comment', t.post(`/tickets/${w.userTicket}/comments/`, { body: 'Forged' }, { headers })],
      ['POST attachment', t.post(`/tickets/${w.userTicket}/attachments/`, pngUpload(), { headers })],
    ];
    for (const [what, pending] of attempts) expectRefused(await pending, what);
    const [role] = await t.sql<{ role: string }[]>`
      select role from user_roles where project_id = ${w.projectId} and user_id = ${fx.spareUser}`;
    expect(role?.role).toBe('user');
    expect((await t.sql`select 1 from tickets where title = 'Forged'`).length).toBe(0);
    expect((await t.sql`select 1 from comments where body = 'Forged'`).length).toBe(0);
    expect((await t.sql`select 1 from attachments where ticket_id = ${w.userTicket}`).length).toBe(0);
  });

  it('row 1: the same cookie request from our own origin still works with the Basic header (the header is ignored)', async () => {
    const headers = { cookie: cookieOf(w.tokens.superadmin), origin: OWN_ORIGIN, authorization: BASIC };
    const res = await t.post('/tickets/', { project: w.projectId, title: 'Behind a Basic-auth proxy' }, { headers });
    expect(res.status).toBe(201);
    expect(res.body.reporter).toBe(w.ids.superadmin);
  });

  it('row 1: a Bearer token that does not authenticate neither falls back to the cookie nor skips its check', async () => {
    const cookie = cookieOf(w.tokens.superadmin);
    const body = { project: w.projectId, title: 'Garbage bearer' };
    // From another origin: the cookie's check applies, since the Bearer did not authenticate.
    expectRefused(
      await t.post('/tickets/', body, { headers: { cookie, origin: EVIL, authorization: 'Bearer garbage' } }),
      'evil origin',
    );
    // From our own origin: the Bearer is what the client chose, and it is invalid: 401.
    const own = await t.post('/tickets/', body, {
      headers: { cookie, origin: OWN_ORIGIN, authorization: 'Bearer garbage' },
    });
    expect(own.status).toBe(401);
  });

  it('row 1: a valid Bearer token is exempt from the origin check, cookie or not', async () => {
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'By Bearer' },
      { token: w.tokens.superadmin, headers: { cookie: cookieOf(w.tokens.user), origin: EVIL } },
    );
    expect(res.status).toBe(201);
    expect(res.body.reporter).toBe(w.ids.superadmin);
  });
});

// ---------------------------------------------------------------------------------------------
// The table.

/** Hostile ways to send a cookie request: never from our origin, with or without other credentials. */
const ORIGINS: [label: string, headers: Record<string, string>][] = [
  ['Origin evil', { origin: EVIL }],
  ['Origin null', { origin: 'null' }],
  ['no Origin', {}],
];
const AUTHORIZATIONS: [label: string, headers: Record<string, string>][] = [
  ['no Authorization', {}],
  ['Basic', { authorization: BASIC }],
  ['Bearer garbage', { authorization: 'Bearer garbage' }],
];
/** A missing Origin with fetch metadata that says where the request came from. */
const FETCH_SITES = ['cross-site', 'same-site', 'none'];

/** Public unsafe routes: not in the matrix; a valid request each. */
const PUBLIC_ROWS: Record<string, (ctx: MatrixContext) => Promise<{ body: unknown; expect: number }>> = {
  'POST /auth/login': async () => ({ body: { username: 'outsider', password: WORLD_PASSWORD }, expect: 200 }),
  // Registration is closed once a user exists: the control gets 403 too, so nothing is proven
  // by it beyond the refusal; the hostile requests must still be refused.
  'POST /auth/register': async (ctx) => ({
    body: { username: `csrf${ctx.n}`, email: `csrf${ctx.n}@example.com`, password: WORLD_PASSWORD },
    expect: 403,
  }),
  // The second sign-in step: a challenge token in the body, not a cookie, authenticates it; an
  // unknown one gets 401 from anywhere, so the control proves the refusal only.
  'POST /auth/login/2fa': async () => ({ body: { mfa_token: 'a'.repeat(52), code: '123456' }, expect: 401 }),
  'POST /auth/password-reset': async () => ({ body: { email: 'nobody@example.com' }, expect: 202 }),
  'POST /auth/password-reset/confirm': async () => ({
    body: { token: 'a'.repeat(52), password: WORLD_PASSWORD },
    expect: 400,
  }),
  // Not public, but every matrix row refuses it: this app has no identity provider, so the
  // control gets 404 and proves the refusal only (routes/oidc tests linking with a provider).
  'POST /auth/oidc/link': async () => ({ body: undefined, expect: 404 }),
  // Accepting an invitation: the token in the path authenticates it; the path's `{token}` is
  // no invitation, so the control proves the refusal only (a 404 from anywhere).
  'POST /auth/invitations/{}/accept': async (ctx) => ({
    body: { username: `csrf${ctx.n}`, password: WORLD_PASSWORD },
    expect: 404,
  }),
  'POST /auth/refresh': async (ctx) => {
    const login = await ctx.t.post('/auth/login/', { username: 'outsider', password: WORLD_PASSWORD });
    return { body: { refresh: login.body.refresh }, expect: 200 };
  },
};

interface Case {
  title: string;
  /** The actor whose session cookie is sent (the first one the matrix allows), or null for public routes. */
  actor: Exclude<(typeof MATRIX_ACTORS)[number], 'anonymous'> | null;
  row: MatrixRow | null;
  op: Operation;
}

/**
 * Unsafe routes that no session cookie authorises: the mailbox's push token in the path is the
 * credential, so the origin of the request does not matter (a mail provider posts it). Their
 * own test below proves a cookie adds nothing.
 */
const NOT_BY_COOKIE = new Set(
  ['POST /api/inbound/email/{token}'].map((k) => routeKey(...(k.split(' ') as [string, string]))),
);

/** An allowed answer in the matrix: a 2xx, or 422 where the request is allowed but its target refuses (a mailbox test against a closed port). */
const allowedStatus = (s: number) => s < 300 || s === 422;

const CASES: Case[] = OPERATIONS.filter((op) => !NOT_BY_COOKIE.has(routeKey(op.method, op.path))).map((op) => {
  const key = routeKey(op.method, op.path);
  const row = MATRIX.find((r) => routeKey(r.method, r.route) === key && r.expect.some(allowedStatus)) ?? null;
  const index = row ? row.expect.findIndex((s, i) => i > 0 && allowedStatus(s)) : -1;
  const actor = index > 0 ? (MATRIX_ACTORS[index] as Case['actor']) : null;
  return { title: row ? rowTitle(row) : key, actor, row, op };
});

let caseNumber = 0;

describe('issue 14 row 1: CSRF table (every unsafe route × hostile origin × Authorization, cookie auth)', () => {
  it('row 1 table: the push endpoint ignores a session cookie (an unknown token is a 404 even for a superuser)', async () => {
    const res = await t.request('POST', '//api/inbound/email/unknown-push-token-0123456789', {
      body: 'From: a@example.com\r\nSubject: x\r\n\r\nbody',
      headers: { cookie: cookieOf(w.tokens.superuser), origin: EVIL, 'content-type': 'message/rfc822' },
    });
    expect(res.status).toBe(404);
  });

  it('row 1 table: covers every unsafe route of the OpenAPI document', () => {
    const uncovered = CASES.filter((c) => !c.row && !PUBLIC_ROWS[routeKey(c.op.method, c.op.path)]);
    expect(uncovered.map((c) => c.title)).toEqual([]);
    expect(CASES.length).toBeGreaterThan(40);
  });

  for (const c of CASES) {
    it(`row 1 table: ${c.title} with a session cookie is never 2xx from another origin`, async () => {
      const ctx: MatrixContext = { t, w, fx, actor: c.actor ?? 'outsider', n: ++caseNumber };
      const key = routeKey(c.op.method, c.op.path);
      let path: string;
      let body: () => unknown;
      let allowed: number;
      let token: string;
      if (c.row) {
        const row = c.row;
        const vars = { ...baseVars(w, fx), ...(await row.setup?.(ctx)) };
        path = fillPath(row.path, vars);
        body = () => row.body?.(ctx, vars);
        allowed = row.expect[MATRIX_ACTORS.indexOf(ctx.actor)]!;
        token = row.token ? await row.token(ctx) : w.tokens[c.actor!];
      } else {
        const made = await PUBLIC_ROWS[key]!(ctx);
        path = c.op.path.replace(/\/?$/, '/');
        body = () => made.body;
        allowed = made.expect;
        token = w.tokens.outsider;
      }
      const send = (headers: Record<string, string>) =>
        t.request(c.op.method, path, { body: body(), headers: { cookie: cookieOf(token), ...headers } });

      for (const [originLabel, origin] of ORIGINS) {
        for (const [authLabel, authorization] of AUTHORIZATIONS) {
          expectRefused(await send({ ...origin, ...authorization }), `${c.title}, ${originLabel}, ${authLabel}`);
        }
      }
      for (const site of FETCH_SITES) {
        expectRefused(await send({ 'sec-fetch-site': site }), `${c.title}, no Origin, Sec-Fetch-Site: ${site}`);
      }
      // The control: the same request from our own pages is what the matrix allows.
      const own = await send({ origin: OWN_ORIGIN });
      expect(own.status, `${c.title} from our own origin: ${JSON.stringify(own.body)}`).toBe(allowed);
      await c.row?.after?.(ctx, own);
    });
  }
});
