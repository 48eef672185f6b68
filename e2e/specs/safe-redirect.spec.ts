import { ADMIN, expect, gotoReady, test } from '../src/fixtures.ts';

/** Issue 14 row 9: hostile `next` values on /login never error and never leave the site. */
const HOSTILE = [
  '/%09/evil.example',
  '/%0d%0a/evil.example',
  '/%5Cevil.example',
  '//evil.example',
  '/..//evil.example',
];

test.describe('issue 14 row 9: control characters in next', () => {
  for (const next of HOSTILE) {
    test(`row 9: GET /login?next=${next} while signed in redirects to /`, async ({ page, baseURL }) => {
      const response = await page.goto(`/login?next=${next}`);
      expect(response?.status()).toBe(200);
      expect(page.url()).toBe(`${baseURL}/`);
      await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();
    });
  }

  test('row 9: signing in with a hostile next lands on /, a good next is kept', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    for (const [next, landing] of [
      ['/%09/evil.example', '/'],
      ['/notifications', '/notifications'],
    ] as const) {
      await gotoReady(page, `/login?next=${next}`);
      await page.getByLabel('Username or email').fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(`${baseURL}${landing}`);
      await context.clearCookies();
    }
    await context.close();
  });
});
