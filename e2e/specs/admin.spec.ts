import { expect, gotoReady, signedInContext, test } from '../src/fixtures.ts';

test('admin: create and deactivate a user, a company with them, and a contact', async ({
  page,
  playwright,
  baseURL,
}) => {
  const username = `cleo${Date.now().toString(36)}`;
  const password = 'a long password';
  const contactName = `Carl ${username}`;
  const mailStatus = page.waitForResponse((r) => r.url().includes('/notifications/preferences/'));
  await gotoReady(page, '/admin');
  expect((await (await mailStatus).json()).mail_configured).toBe(true);
  // The e2e server sends mail to its SMTP sink, so the "Mail is not configured" banner stays away
  // (the API's mail_configured=false case is in notifications.test.ts).
  await expect(page.getByTestId('mail-banner')).toHaveCount(0);

  // Create a user with a password: they can sign in.
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('Email', { exact: true }).fill(`${username}@laneway.test`);
  await form.getByLabel('Name', { exact: true }).fill('Cleo Client');
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Create user' }).click();
  const row = page.locator(`[data-testid="user-row"][data-username="${username}"]`);
  await expect(row.locator('.badge')).toHaveText('active');
  await expect(form.getByLabel('Username', { exact: true })).toHaveValue('');
  // A fresh request context per attempt: no session cookie from an earlier one.
  const login = async () => {
    const request = await playwright.request.newContext({ baseURL });
    const response = await request.post('/api/tickets/auth/login/', { data: { username, password } });
    await request.dispose();
    return response;
  };
  expect((await login()).status()).toBe(200);

  // Deactivated, they cannot sign in; reactivation is offered.
  await row.getByRole('button', { name: `Deactivate ${username}` }).click();
  await expect(row.locator('.badge')).toHaveText('deactivated');
  await expect(row.getByRole('button', { name: `Reactivate ${username}` })).toBeVisible();
  expect((await login()).status()).toBe(401);

  // A company with that user, by username.
  const companyName = `Acme ${username}`;
  const companyForm = page.getByRole('form', { name: 'New company' });
  await companyForm.getByLabel('Company name').fill(companyName);
  await companyForm.getByLabel('Company users').fill(username);
  await companyForm.getByRole('button', { name: 'Create company' }).click();
  // A deactivated user is not offered: the message sits by the field and nothing typed is lost.
  await expect(companyForm.getByText(`No active user matches “${username}”`)).toBeVisible();
  await expect(companyForm.getByLabel('Company name')).toHaveValue(companyName);
  await row.getByRole('button', { name: `Reactivate ${username}` }).click();
  await expect(row.locator('.badge')).toHaveText('active');
  await companyForm.getByRole('button', { name: 'Create company' }).click();
  const company = page.locator(`[data-testid="company"][data-name="${companyName}"]`);
  await expect(company.getByTestId('company-users')).toContainText(username);
  await expect(companyForm.getByLabel('Company name')).toHaveValue('');

  // A contact of that company.
  const contactForm = page.getByRole('form', { name: 'New contact' });
  await contactForm.getByLabel('Name', { exact: true }).fill(contactName);
  await contactForm.getByLabel('Email', { exact: true }).fill('carl@acme.test');
  await contactForm.getByLabel('Company', { exact: true }).selectOption({ label: companyName });
  await contactForm.getByRole('button', { name: 'Create contact' }).click();
  const contact = page.locator(`[data-testid="contact"][data-name="${contactName}"]`);
  await expect(contact).toContainText(companyName);
  await expect(contact).toContainText('carl@acme.test');

  // Edited in place.
  await contact.getByRole('button', { name: `Edit ${contactName}` }).click();
  await contact.getByLabel('Phone').fill('+44 20 1234 5678');
  await contact.getByRole('button', { name: 'Save' }).click();
  await expect(contact).toContainText('+44 20 1234 5678');

  // Still there after a reload: the server has it.
  await gotoReady(page, '/admin');
  await page.getByRole('searchbox', { name: 'Search contacts' }).fill(username);
  await page.getByRole('search', { name: 'Search contacts' }).getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('contact')).toHaveCount(1);
  await expect(page.locator(`[data-testid="contact"][data-name="${contactName}"]`)).toContainText('+44 20 1234 5678');
});

test('admin is refused to a user who is not a superuser', async ({ browser, baseURL, api }) => {
  const project = await api.createProject('Admin refused');
  const username = `sam${Date.now().toString(36)}`;
  await api.createMember(project.id, username, 'superadmin', 'a long password');
  const context = await signedInContext(browser, baseURL!, username, 'a long password');
  const page = await context.newPage();
  await gotoReady(page, '/admin');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByText('Administration is for instance superusers only.')).toBeVisible();
  // Nor is it in their menu.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await context.close();
});
