import { expect, gotoReady, test } from '../src/fixtures.ts';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

test('a superuser brands the instance: name, accent and logo show on every page, the sign-in page too', async ({
  page,
  browser,
  baseURL,
  api,
}) => {
  await gotoReady(page, '/admin');
  const form = page.getByTestId('branding');
  await form.getByLabel('Site name').fill('Acme Desk');
  await form.getByLabel('Accent colour', { exact: true }).fill('#0f766e');
  await form.getByRole('button', { name: 'Save branding' }).click();
  await expect(page.getByText('Branding saved.')).toBeVisible();

  await form
    .locator('input[type=file]')
    .first()
    .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByText('Logo saved.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Acme Desk home' }).locator('img')).toHaveAttribute(
    'src',
    /\/api\/tickets\/settings\/logo\/\?v=/,
  );

  // The accent is the branding's on a button, in the light theme.
  await page.context().addCookies([{ name: 'theme', value: 'light', url: baseURL! }]);
  await gotoReady(page, '/');
  const button = page.getByRole('button', { name: 'New project' });
  await expect(button).toHaveCSS('background-color', 'rgb(15, 118, 110)');

  // Signed out: the sign-in page carries the name and the logo.
  const anonymous = await browser.newContext({ baseURL });
  const login = await anonymous.newPage();
  await gotoReady(login, '/login');
  await expect(login.getByText('Acme Desk')).toBeVisible();
  await expect(login.locator('.brand img')).toHaveAttribute('src', /settings\/logo/);
  await anonymous.close();

  // Back to the defaults for the other specs.
  await api.call('PATCH', '/settings/', { site_name: 'Laneway', accent_colour: '#4f46e5' });
  await api.call('DELETE', '/settings/logo/');
});

test('the theme toggle cycles system → light → dark and the choice survives a reload', async ({ page }) => {
  await gotoReady(page, '/');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'system');
  const toggle = page.getByTestId('theme-toggle');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const darkBg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(darkBg);
  expect(darkBg).toBe('rgb(21, 23, 28)');
  await toggle.click();
  await expect(html).toHaveAttribute('data-theme', 'system');
});
