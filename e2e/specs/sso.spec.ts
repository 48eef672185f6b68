/**
 * Single sign-on in Chromium (SPEC §12): a second Laneway on the end-to-end database, configured
 * for a real OpenID provider (test/peers/oidc.ts, in this process); the sign-in happens on the
 * provider's own page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startOidcProvider, type OidcPeer } from '../../test/peers/oidc.ts';
import { card, e2eDatabaseUrl, expect, test } from '../src/fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LABEL = 'Sign in with Acme ID';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Laneway with single sign-on on `port`; resolves once it answers /health. */
async function startLaneway(port: number, oidc: OidcPeer): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SECRET_KEY: 'e2e secret key, not for any real deployment',
      DATABASE_URL: e2eDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_MODE: 'off',
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      REDIS_HOST: '',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      CORS_ALLOWED_ORIGINS: '',
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_BUTTON_LABEL: LABEL,
      OIDC_AUTO_PROVISION: 'true',
      OIDC_ALLOWED_DOMAINS: 'sso-staff.test,sso-client.test',
      OIDC_SUPERUSER_GROUPS: 'laneway-admins',
    },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Laneway exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (Date.now() > deadline) throw new Error('Laneway did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let oidc: OidcPeer;
let server: ChildProcess;
let origin: string;

test.beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider({
    redirectUris: [`${origin}/api/tickets/auth/oidc/callback/`],
    postLogoutRedirectUris: [`${origin}/login`],
    users: [
      {
        sub: 'sso-alice',
        email: 'alice@sso-staff.test',
        email_verified: true,
        name: 'Alice Staff',
        groups: ['laneway-admins'],
      },
      { sub: 'sso-carol', email: 'carol@sso-client.test', email_verified: true, name: 'Carol Client', groups: [] },
    ],
  });
  server = await startLaneway(port, oidc);
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await oidc?.stop();
});

test('signs in at the provider and lands on the board; signing out ends the provider session too', async ({
  browser,
  seedBoard,
}) => {
  const board = await seedBoard(['Seen after single sign-on']);
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto(`/projects/${board.project.id}`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole('link', { name: LABEL }).click();

  // The provider's own sign-in page.
  await expect(page).toHaveURL(new RegExp(`^${oidc.issuer}/interaction/`));
  await page.locator('input[name=login]').fill('sso-alice');
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();

  await expect(page).toHaveURL(`${origin}/projects/${board.project.id}`);
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
  await expect(card(page, 'Seen after single sign-on')).toBeVisible();

  // The account page lists the link the first sign-in made.
  await page.goto('/account/sso');
  await expect(page.getByText('alice@sso-staff.test')).toBeVisible();
  await expect(page.getByText(oidc.issuer)).toBeVisible();

  await page.getByRole('button', { name: /sign out/i }).click();
  await expect(page).toHaveURL(new RegExp(`^${oidc.issuer}/session/end`));
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test("a company domain's person gets a company account and lands in the portal", async ({ api, browser }) => {
  await api.call('POST', '/companies/', { name: 'SSO Client Co', domains: ['sso-client.test'] }, 201);
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByRole('link', { name: LABEL }).click();
  await page.locator('input[name=login]').fill('sso-carol');
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();
  await expect(page).toHaveURL(`${origin}/portal`);
  await context.close();
});
