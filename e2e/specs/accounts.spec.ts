/**
 * Accounts people can use (issue 15): an invitation by email accepted into a board, a password
 * reset by email, two-factor sign-in with a code and with a recovery code, an API token used
 * with fetch. Mail is what the server sent to the SMTP sink beside it (e2e/src/mail.ts).
 */
import { readFile } from 'node:fs/promises';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Page } from '@playwright/test';
import { expect, gotoReady, signedInContext, test } from '../src/fixtures.ts';
import { waitForMail } from '../src/mail.ts';

const password = 'a long enough password';
const unique = () => `u${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

/** The link (of this instance) in the first mail to `to` whose text has `path`. */
async function mailedLink(to: string, path: string): Promise<string> {
  const mail = await waitForMail((m) => m.to.includes(to) && m.text.includes(path));
  const link = new RegExp(`https?://\\S+${path}[a-z2-7]+`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
  return new URL(link).pathname;
}

/** Signs in through the login page; with 2FA on, stops at the second step. */
async function signIn(page: Page, username: string, secret: string) {
  await gotoReady(page, '/login');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const totp = (secret: string, offset = 0) =>
  generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

test('invite by email → mail → accept → the board', async ({ page, api, browser, baseURL }) => {
  const project = await api.createProject(`Invited ${unique()}`);
  const email = `${unique()}@laneway.test`;
  await gotoReady(page, `/projects/${project.id}/settings`);
  const form = page.getByRole('form', { name: 'Invite by email' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption('user');
  await form.getByRole('button', { name: 'Invite by email' }).click();
  await expect(page.getByTestId('invitation-sent')).toContainText(email);

  const path = await mailedLink(email, '/invite/');
  const context = await browser.newContext({ baseURL });
  const guest = await context.newPage();
  await gotoReady(guest, path);
  await expect(guest.getByText(project.name)).toBeVisible();
  await expect(guest.getByLabel('Email')).toHaveValue(email);
  await guest.getByLabel('Your name').fill('Ivy Invited');
  await guest.getByLabel('Username').fill(unique());
  await guest.getByLabel('Password').fill(password);
  await guest.getByRole('button', { name: 'Create my account' }).click();
  await expect(guest).toHaveURL(/\/$/);
  await guest.getByRole('link', { name: project.name }).click();
  await expect(guest.getByTestId('board')).toHaveAttribute('data-live', 'true');

  // The link worked once.
  await gotoReady(guest, path);
  await expect(guest.getByTestId('invitation-invalid')).toBeVisible();
  await context.close();
});

test('forgot → mail → reset → sign in with the new password', async ({ api, browser, baseURL }) => {
  const username = unique();
  const email = `${username}@laneway.test`;
  await api.call('POST', '/users/', { username, email, password, name: 'Rita Reset' }, 201);
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await gotoReady(page, '/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByTestId('reset-sent')).toBeVisible();

  await gotoReady(page, await mailedLink(email, '/reset/'));
  await page.getByLabel('New password').fill('the new password');
  await page.getByLabel('The same again').fill('the new password');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByTestId('reset-done')).toBeVisible();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signIn(page, username, 'the new password');
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});

test('two-factor: enrol → sign out → sign in with a code → with a recovery code', async ({ api, browser, baseURL }) => {
  const username = unique();
  await api.call('POST', '/users/', { username, email: `${username}@laneway.test`, password }, 201);
  const context = await signedInContext(browser, baseURL!, username, password);
  const page = await context.newPage();
  await gotoReady(page, '/account');
  const section = page.locator('#two-factor');
  await section.getByLabel('Your password').fill(password);
  await section.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await section.getByTestId('totp-secret').innerText()).trim();
  await section.getByLabel('Code from the app').fill(totp(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  await expect(section.getByTestId('recovery-codes').locator('code')).toHaveCount(10);
  const codes = await section.getByTestId('recovery-codes').locator('code').allInnerTexts();
  const downloading = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Download as text' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('recovery-codes.txt');
  const saved = await readFile(await download.path(), 'utf8');
  for (const code of codes) expect(saved).toContain(code);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByTestId('two-factor-status')).toHaveText('on');

  // Signed out, the password alone does not sign in: the next step's code does (the enrolment's
  // own code is spent, so the next 30-second step's, which the one-step drift accepts).
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, username, password);
  await expect(page.getByTestId('second-step')).toBeVisible();
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/$/);

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, username, password);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/$/);
  await context.close();
});

test('an API token made on /account works with fetch, read-only', async ({ page }) => {
  await gotoReady(page, '/account');
  const section = page.locator('#tokens');
  await section.getByLabel('Token name').fill('e2e script');
  await section.getByLabel('Scope').selectOption('read');
  await section.getByRole('button', { name: 'Create token' }).click();
  const token = (await section.getByTestId('api-token-secret').innerText()).trim();
  expect(token).toMatch(/^lw_/);
  await expect(section.getByTestId('api-token-row').filter({ hasText: 'e2e script' })).toBeVisible();

  const answers = await page.evaluate(async (bearer) => {
    const headers = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
    const me = await fetch('/api/tickets/auth/me/', { headers, credentials: 'omit' });
    const write = await fetch('/api/tickets/projects/', {
      method: 'POST',
      headers,
      credentials: 'omit',
      body: JSON.stringify({ name: 'Not by a read token', key: 'NOPE' }),
    });
    return { me: me.status, username: ((await me.json()) as { username: string }).username, write: write.status };
  }, token);
  expect(answers).toEqual({ me: 200, username: 'admin', write: 403 });
});
