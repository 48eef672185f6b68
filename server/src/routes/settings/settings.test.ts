import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { TINY_PNG } from '../../../../test/permission-matrix.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

/** A raw-body PUT, as the web app uploads a logo. */
const put = (path: string, bytes: Uint8Array, token = w.tokens.superuser) =>
  t.request('PUT', path, { token, body: bytes, headers: { 'content-type': 'application/octet-stream' } });

describe('branding (GET|PATCH /settings/, PUT|GET|DELETE /settings/{logo|favicon}/)', () => {
  it('answers the defaults before anything is set', async () => {
    const res = await t.get('/settings/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      site_name: 'Laneway',
      accent_colour: '#4f46e5',
      logo_url: null,
      favicon_url: null,
      updated_at: null,
    });
  });

  it('stores a name and a colour (lower-cased) for everyone to read', async () => {
    const res = await t.patch(
      '/settings/',
      { site_name: '  Acme Desk ', accent_colour: '#0F766E' },
      { token: w.tokens.superuser },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ site_name: 'Acme Desk', accent_colour: '#0f766e' });
    expect((await t.get('/settings/', { token: w.tokens.companyUser })).body).toMatchObject({
      site_name: 'Acme Desk',
      accent_colour: '#0f766e',
    });
  });

  it('refuses a colour that is not #rrggbb, an empty name and unknown fields, changing nothing', async () => {
    for (const body of [{ accent_colour: 'red' }, { accent_colour: '#12345' }, { site_name: '   ' }, { logo: 'x' }]) {
      const res = await t.patch('/settings/', body, { token: w.tokens.superuser });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    expect((await t.get('/settings/')).body).toMatchObject({ site_name: 'Acme Desk', accent_colour: '#0f766e' });
  });

  it('stores a logo, serves it with its sniffed type and a versioned URL, and removes it', async () => {
    const stored = await put('/settings/logo/', TINY_PNG);
    expect(stored.status).toBe(200);
    expect(stored.body.logo_url).toMatch(/^\/api\/tickets\/settings\/logo\/\?v=\w+$/);
    expect(stored.body.favicon_url).toBeNull();

    const image = await t.request('GET', '//api/tickets/settings/logo/');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toContain('sandbox');

    const removed = await t.request('DELETE', '/settings/logo/', { token: w.tokens.superuser });
    expect(removed.status).toBe(200);
    expect(removed.body.logo_url).toBeNull();
    expect((await t.get('/settings/logo/')).status).toBe(404);
  });

  it('refuses an SVG or text (415), an empty body (400) and more than 256 KB (413), storing nothing', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const svgRes = await put('/settings/favicon/', svg);
    expect(svgRes.status).toBe(415);
    expect(svgRes.body.error.code).toBe('unsupported_media_type');

    expect((await put('/settings/favicon/', new Uint8Array(0))).status).toBe(400);

    const big = new Uint8Array(256 * 1024 + 1);
    big.set(TINY_PNG);
    const bigRes = await put('/settings/favicon/', big);
    expect(bigRes.status).toBe(413);
    expect(bigRes.body.error.code).toBe('payload_too_large');

    expect((await t.get('/settings/')).body.favicon_url).toBeNull();
    expect((await t.get('/settings/favicon/')).status).toBe(404);
  });

  it('lets only superusers change it', async () => {
    for (const token of [w.tokens.superadmin, w.tokens.companyAdmin]) {
      expect((await t.patch('/settings/', { site_name: 'Mine' }, { token })).status).toBe(403);
      expect((await put('/settings/logo/', TINY_PNG, token)).status).toBe(403);
    }
    expect((await t.get('/settings/')).body.site_name).toBe('Acme Desk');
  });
});
