import { ADMIN, expect, gotoReady, test } from '../src/fixtures.ts';

// This spec runs first, on an empty database (the `first-run` project in playwright.config.ts).
test.use({ storageState: { cookies: [], origins: [] } });

test('first run: login sends to setup, setup creates the superuser and lands on projects', async ({
  browser,
  baseURL,
  request,
}) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();

  await gotoReady(page, '/login');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Welcome to Laneway' })).toBeVisible();

  await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
  await page.getByLabel('Name', { exact: true }).fill(ADMIN.name);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();
  await expect(page.getByText('No projects yet.')).toBeVisible();

  // The account exists, is the instance superuser, and setup is closed.
  const setup = await request.get('/api/tickets/auth/setup/');
  expect(await setup.json()).toEqual({ needs_setup: false, oidc: { enabled: false, label: null, only: false } });
  const login = await request.post('/api/tickets/auth/login/', {
    data: { username: ADMIN.username, password: ADMIN.password },
  });
  expect(login.status()).toBe(200);
  expect((await login.json()).user).toMatchObject({ username: ADMIN.username, is_superuser: true });

  // Setup cannot be reached again.
  await page.goto('/setup');
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});
