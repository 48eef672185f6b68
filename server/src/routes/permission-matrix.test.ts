/**
 * The permission matrix: every route × every kind of caller answers what SPEC §4 says
 * (test/permission-matrix.ts holds the table). A route the app registers without a row in the
 * table fails the coverage test, so new routes cannot skip the matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import {
  baseVars,
  fillPath,
  MATRIX,
  MATRIX_ACTORS,
  prepareFixtures,
  rowTitle,
  WORLD_PASSWORD,
  type Fixtures,
  type MatrixContext,
} from '../../../test/permission-matrix.ts';
import {
  INFRA_PATHS,
  isErrorEnvelope,
  openApiDocument,
  operationsOf,
  routeKey,
  type Operation,
} from '../../../test/routes.ts';
import { buildWorld, type World } from '../../../test/world.ts';

let t: TestApp;
let w: World;
let fx: Fixtures;
let operations: Operation[];
let registered: Set<string>;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  fx = await prepareFixtures(t, w);
  operations = operationsOf(await openApiDocument(t));
  registered = new Set(operations.map((op) => routeKey(op.method, op.path)));
});
afterAll(() => t?.close());

const ERROR_CODES: Record<number, string> = {
  400: 'validation_error',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
};

/** Routes anyone may call: each has its own checks below instead of matrix rows. */
const PUBLIC_ROUTES = [
  'GET /auth/setup',
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/login/2fa',
  'POST /auth/password-reset',
  'POST /auth/password-reset/confirm',
  'GET /auth/invitations/{token}',
  'POST /auth/invitations/{token}/accept',
  'POST /auth/refresh',
  // Single sign-on's browser routes: tested in routes/oidc against a real provider.
  'GET /auth/oidc/login',
  'GET /auth/oidc/callback',
  'GET /settings',
  'GET /settings/{image}',
  // The mailbox's own push token is its credential: tested in routes/inbound.
  'POST /api/inbound/email/{token}',
];

let caseNumber = 0;

describe('permission matrix (SPEC §4)', () => {
  for (const row of MATRIX) {
    describe(rowTitle(row), () => {
      MATRIX_ACTORS.forEach((actor, column) => {
        const expected = row.expect[column]!;
        it(`${rowTitle(row)} as ${actor} -> ${expected}`, async () => {
          const ctx: MatrixContext = { t, w, fx, actor, n: ++caseNumber };
          const vars = { ...baseVars(w, fx), ...(await row.setup?.(ctx)) };
          const path = fillPath(row.path, vars);
          const token = actor === 'anonymous' ? undefined : row.token ? await row.token(ctx) : w.tokens[actor];
          const res = await t.request(row.method, path, { token, body: row.body?.(ctx, vars) });
          try {
            const got = { status: res.status, body: res.body };
            expect(res.status, `${row.method} ${path} as ${actor}: ${JSON.stringify(got)}`).toBe(expected);
            if (ERROR_CODES[expected]) {
              expect(isErrorEnvelope(res.body), JSON.stringify(res.body)).toBe(true);
              expect(res.body.error.code).toBe(ERROR_CODES[expected]);
            }
          } finally {
            await row.after?.(ctx, res);
          }
        });
      });
    });
  }
});

describe('matrix coverage', () => {
  it('has a row for every route in the OpenAPI document', () => {
    const rows = new Set(MATRIX.map((row) => routeKey(row.method, row.route)));
    const publicRoutes = new Set(PUBLIC_ROUTES.map((key) => routeKey(...(key.split(' ') as [string, string]))));
    const missing = operations
      .filter((op) => !INFRA_PATHS.has(op.fullPath))
      .map((op) => routeKey(op.method, op.path))
      .filter((key) => !rows.has(key) && !publicRoutes.has(key));
    expect(missing, 'routes without a permission-matrix row').toEqual([]);
  });

  it('names only registered routes', () => {
    const stale = MATRIX.map((row) => routeKey(row.method, row.route)).filter((key) => !registered.has(key));
    expect(stale, 'matrix rows for routes the app does not register').toEqual([]);
  });

  it('treats as public exactly the routes checked below', () => {
    const open = operations
      .filter((op) => op.isPublic && !INFRA_PATHS.has(op.fullPath))
      .map((op) => routeKey(op.method, op.path))
      .sort();
    expect(open).toEqual(PUBLIC_ROUTES.map((key) => routeKey(...(key.split(' ') as [string, string]))).sort());
  });

  it('gives every row one status per actor', () => {
    for (const row of MATRIX) expect(row.expect, rowTitle(row)).toHaveLength(MATRIX_ACTORS.length);
  });
});

describe('public routes', () => {
  it('GET /settings and GET /settings/{image} answer anyone: the sign-in page is branded too', async () => {
    for (const token of [undefined, w.tokens.outsider, w.tokens.companyUser]) {
      const res = await t.get('/settings/', { token });
      expect(res.status).toBe(200);
      expect(res.body.site_name).toBe('Laneway');
      // No logo is set in this world: the image route says so the same way to everyone.
      expect((await t.get('/settings/logo/', { token })).status).toBe(404);
    }
  });

  it('GET /auth/setup answers anyone', async () => {
    for (const token of [undefined, w.tokens.user, w.tokens.companyUser]) {
      const res = await t.get('/auth/setup/', { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ needs_setup: false, oidc: { enabled: false, label: null, only: false } });
    }
  });

  it('GET /auth/oidc/login and /callback answer anyone the same page (no provider configured here)', async () => {
    for (const token of [undefined, w.tokens.superuser, w.tokens.companyUser]) {
      for (const path of ['/auth/oidc/login/?next=/', '/auth/oidc/callback/?code=c&state=s']) {
        const res = await t.get(path, { token });
        expect(res.status, path).toBe(404);
        expect(res.body).toMatch(/does not use single sign-on/);
      }
    }
  });

  it('POST /auth/register is closed once the instance has users, signed in or not', async () => {
    for (const [i, token] of [undefined, w.tokens.superuser, w.tokens.outsider].entries()) {
      const res = await t.post(
        '/auth/register/',
        { username: `late${i}`, email: `late${i}@example.com`, password: WORLD_PASSWORD },
        { token },
      );
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('POST /auth/login signs in with the right password only', async () => {
    const wrong = await t.post('/auth/login/', { username: 'companyUser', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    const ok = await t.post('/auth/login/', { username: 'companyUser', password: WORLD_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(w.ids.companyUser);
    const refreshed = await t.post('/auth/refresh/', { refresh: ok.body.refresh });
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.access).toBe('string');
  });

  it('POST /auth/login/2fa refuses an unknown challenge, signed in or not', async () => {
    for (const token of [undefined, w.tokens.superuser]) {
      const res = await t.post('/auth/login/2fa/', { mfa_token: 'a'.repeat(52), code: '123456' }, { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('POST /auth/password-reset answers 202 to anyone; /confirm refuses an unknown token with 400', async () => {
    for (const token of [undefined, w.tokens.outsider]) {
      expect((await t.post('/auth/password-reset/', { email: 'nobody@example.com' }, { token })).status).toBe(202);
      const res = await t.post(
        '/auth/password-reset/confirm/',
        { token: 'a'.repeat(52), password: WORLD_PASSWORD },
        { token },
      );
      expect(res.status).toBe(400);
    }
  });

  it('GET /auth/invitations/{token} and its accept answer one 404 to an unknown token, signed in or not', async () => {
    for (const token of [undefined, w.tokens.superuser]) {
      const preview = await t.get(`/auth/invitations/${'a'.repeat(52)}/`, { token });
      expect(preview.status).toBe(404);
      expect(preview.body.error.code).toBe('not_found');
      const accept = await t.post(
        `/auth/invitations/${'a'.repeat(52)}/accept/`,
        { username: 'nobody', password: WORLD_PASSWORD },
        { token },
      );
      expect(accept.status).toBe(404);
    }
  });

  it('POST /auth/refresh refuses an unknown token', async () => {
    const res = await t.post('/auth/refresh/', { refresh: 'nope.nope' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});
