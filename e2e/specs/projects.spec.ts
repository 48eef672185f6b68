import postgres from 'postgres';
import { ADMIN, boardColumn, e2eDatabaseUrl, expect, gotoReady, LanewayApi, openBoard, test } from '../src/fixtures.ts';

test('create a project: it opens its board with the default columns and is listed', async ({ page }) => {
  const name = `Website relaunch ${Date.now()}`;
  await gotoReady(page, '/');
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();

  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByLabel('Name').fill(name);
  // The key is suggested from the name's initials until one is typed.
  await expect(page.getByLabel('Key', { exact: true })).toHaveValue(/^WR/);
  const key = `WR${String(Date.now()).slice(-6)}`;
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Create project' }).click();

  await expect(page).toHaveURL(/\/projects\/\d+$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  for (const column of ['To Do', 'In Progress', 'Review', 'Done']) {
    await expect(boardColumn(page, column)).toBeVisible();
  }

  await page.getByRole('link', { name: 'Projects' }).click();
  await expect(page.getByRole('link', { name: new RegExp(name) })).toBeVisible();
  await expect(page.getByText(key, { exact: true })).toBeVisible();
});

test('a project key the server refuses shows its message and creates nothing', async ({ page, api }) => {
  await gotoReady(page, '/');
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByLabel('Name').fill('Duplicate key');
  const taken = await api.createProject('Key holder');
  await page.getByLabel('Key', { exact: true }).fill(taken.key);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});

test('signed-out visitors sign in and return to the page they asked for', async ({ browser, baseURL, api }) => {
  const { id } = await api.createProject('Return trip');
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();

  await gotoReady(page, `/projects/${id}`);
  await expect(page).toHaveURL(new RegExp(`/login\\?next=%2Fprojects%2F${id}$`));
  await page.getByLabel('Username or email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(new RegExp(`/projects/${id}$`));
  await expect(page.getByRole('heading', { name: 'Return trip', level: 1 })).toBeVisible();
  await context.close();
});

test('a wrong password is refused on the login page', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await gotoReady(page, '/login');
  await page.getByLabel('Username or email').fill(ADMIN.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test('a session that expires mid-use sends the user to sign in, then back to the same page', async ({
  browser,
  baseURL,
  seedBoard,
}) => {
  const board = await seedBoard(['Before expiry']);
  const signedIn = await LanewayApi.signIn(baseURL!, ADMIN.username, ADMIN.password);
  const context = await browser.newContext({ baseURL });
  await context.addCookies([
    { name: 'session', value: signedIn.access, url: baseURL!, httpOnly: true, sameSite: 'Lax' },
  ]);
  await signedIn.dispose();
  const page = await context.newPage();
  await openBoard(page, board.project.id);

  // The session runs out (its expiry passes; nothing tells the open socket).
  const sql = postgres(e2eDatabaseUrl(), { max: 1, onnotice: () => {} });
  const sessionId = signedIn.access.split('.')[0]!;
  const expired = await sql`update sessions set expires_at = now() - interval '1 second' where id = ${sessionId}`;
  await sql.end();
  expect(expired.count).toBe(1);

  // The next thing the user does meets a 401: off to sign in, and back to this board.
  await page.getByRole('button', { name: 'Add a card to To Do' }).click();
  await page.getByLabel('Title of the new card in To Do').fill('After expiry');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/login\\?next=%2Fprojects%2F${board.project.id}$`));
  await page.getByLabel('Username or email').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${board.project.id}$`));
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
  await context.close();
});
