import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boardColumn, expect, gotoReady, signedInContext, test } from '../src/fixtures.ts';

test('columns: add, rename, set a WIP limit and reorder, and the board shows it', async ({ page, api }) => {
  const project = await api.createProject('Settings columns');
  await gotoReady(page, `/projects/${project.id}/settings`);
  const columns = page.getByTestId('column-settings');
  await expect(columns).toHaveCount(4);

  // Add "QA" (to the right of Done) with a WIP limit of 2.
  await page.getByLabel('New column').fill('QA');
  await page.locator('#new-column-category').selectOption('in_progress');
  await page.locator('#new-column-wip').fill('2');
  await page.getByRole('button', { name: 'Add column' }).click();
  await expect(columns).toHaveCount(5);
  await expect(page.getByLabel('New column')).toHaveValue('');

  // Rename Review and give In Progress a WIP limit.
  const review = columns.nth(2);
  await expect(review).toHaveAttribute('data-column', 'Review');
  await review.getByLabel('Name').fill('Code review');
  await review.getByRole('button', { name: 'Save' }).click();
  await expect(review).toHaveAttribute('data-column', 'Code review');
  await expect(review.getByRole('button', { name: 'Save' })).toBeDisabled();
  const inProgress = page.locator('[data-column="In Progress"]');
  await inProgress.getByLabel('WIP limit').fill('3');
  await inProgress.getByRole('button', { name: 'Save' }).click();
  await expect(inProgress.getByRole('status')).toHaveText('Saved');

  // Move QA one place left with the keyboard: it lands before Done, and focus stays on the button.
  const left = page.getByRole('button', { name: 'Move QA left' });
  await left.focus();
  await page.keyboard.press('Enter');
  await expect(columns.nth(3)).toHaveAttribute('data-column', 'QA');
  await expect(page.getByRole('button', { name: 'Move QA left' })).toBeFocused();

  await gotoReady(page, `/projects/${project.id}`);
  await expect(page.getByTestId('column').locator('h2')).toHaveText([
    'To Do',
    'In Progress',
    'Code review',
    'QA',
    'Done',
  ]);
  await expect(boardColumn(page, 'QA').getByTestId('column-count')).toHaveText(/0\s*\/\s*2/);
  await expect(boardColumn(page, 'In Progress').getByTestId('column-count')).toHaveText(/0\s*\/\s*3/);
});

test('columns: deleting one moves its cards to the chosen column', async ({ page, api }) => {
  const project = await api.createProject('Settings delete column');
  const board = await api.board(project.id);
  const review = board.find((c) => c.name === 'Review')!;
  await api.createTicket(project.id, review.id, 'Waiting for review');
  await gotoReady(page, `/projects/${project.id}/settings`);

  const row = page.locator('[data-column="Review"]');
  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(row.getByText('holds 1 card')).toBeVisible();
  await row.getByLabel('Move its cards to').selectOption({ label: 'Done' });
  await row.getByRole('button', { name: 'Delete column' }).click();
  await expect(page.getByTestId('column-settings')).toHaveCount(3);

  const after = await api.board(project.id);
  expect(after.map((c) => c.name)).toEqual(['To Do', 'In Progress', 'Done']);
  expect(after.find((c) => c.name === 'Done')!.tickets.map((t) => t.title)).toEqual(['Waiting for review']);
});

test('tags: create one with a colour, a duplicate is refused, then rename and recolour it', async ({ page, api }) => {
  const project = await api.createProject('Settings tags');
  await gotoReady(page, `/projects/${project.id}/settings`);
  await page.getByLabel('New tag').fill('Billing');
  await page.locator('#new-tag-colour').fill('#e11d48');
  await page.getByRole('button', { name: 'Add tag' }).click();
  const tag = page.getByTestId('tag-settings');
  await expect(tag).toHaveCount(1);
  await expect(tag.locator('.chip')).toHaveText('Billing');

  // A second tag with the same name is refused with the server's message, and what was typed stays.
  await page.getByLabel('New tag').fill('billing');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByLabel('New tag')).toHaveValue('billing');

  let tags = await api.call<{ results: { name: string; colour: string }[] }>('GET', `/tags/?project=${project.id}`);
  expect(tags.results).toEqual([expect.objectContaining({ name: 'Billing', colour: '#e11d48' })]);

  // Renamed and recoloured in place.
  await tag.getByLabel('Name').fill('Invoices');
  await tag.getByLabel('Colour').fill('#0ea5e9');
  await tag.getByRole('button', { name: 'Save' }).click();
  await expect(tag.locator('.chip')).toHaveText('Invoices');
  tags = await api.call('GET', `/tags/?project=${project.id}`);
  expect(tags.results).toEqual([expect.objectContaining({ name: 'Invoices', colour: '#0ea5e9' })]);
});

test('members: add an existing user and change their role', async ({ page, api }) => {
  const project = await api.createProject('Settings members');
  const username = `mia${Date.now().toString(36)}`;
  const user = await api.call<{ id: number }>(
    'POST',
    '/users/',
    { username, email: `${username}@laneway.test`, password: 'a long password', name: 'Mia Member' },
    201,
  );
  await gotoReady(page, `/projects/${project.id}/settings`);
  await page.getByLabel('Add a user (username or email)').fill(`${username}@laneway.test`);
  await page.locator('#new-member-role').selectOption('manager');
  await page.getByRole('button', { name: 'Add member' }).click();

  const row = page.locator(`[data-testid="member"][data-username="${username}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByLabel(`Role of ${username}`)).toHaveValue('manager');
  await row.getByLabel(`Role of ${username}`).selectOption('admin');
  await expect
    .poll(async () => {
      const members = await api.call<{ results: { user: { id: number }; role: string }[] }>(
        'GET',
        `/projects/${project.id}/members/`,
      );
      return members.results.find((m) => m.user.id === user.id)?.role;
    })
    .toBe('admin');

  // Nobody matches: the message sits next to the field.
  await page.getByLabel('Add a user (username or email)').fill('nobody-by-this-name');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.locator('#new-member-error')).toContainText('No active user matches');
});

test('companies: link one to the project', async ({ page, api }) => {
  const project = await api.createProject('Settings companies');
  const name = `Linked ${Date.now().toString(36)}`;
  const company = await api.call<{ id: number }>('POST', '/companies/', { name }, 201);
  await gotoReady(page, `/projects/${project.id}/settings`);
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: 'Save companies' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  const saved = await api.call<{ companies: number[] }>('GET', `/projects/${project.id}/`);
  expect(saved.companies).toEqual([company.id]);
});

test.describe('webhooks', () => {
  let receiver: Server;
  let failing = false;
  const received: string[] = [];

  test.beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(body);
        response.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
        response.end(failing ? 'broken' : 'ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  test.afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  test('ping shows in the delivery log; a failed attempt is redelivered', async ({ page, api }) => {
    const project = await api.createProject('Settings webhooks');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await gotoReady(page, `/projects/${project.id}/settings`);

    await page.getByLabel('Webhook URL').fill(url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const hook = page.getByTestId('webhook').filter({ hasText: url });
    await expect(hook).toBeVisible();
    await expect(hook.getByTestId('webhook-secret')).toHaveText(/^whsec_/);

    // A ping to a working receiver: one succeeded attempt, HTTP 200.
    failing = false;
    await hook.getByRole('button', { name: 'Ping' }).click();
    const log = hook.getByTestId('delivery-log');
    const succeeded = log.locator('[data-testid="delivery-attempt"][data-status="succeeded"]');
    await expect(succeeded).toHaveCount(1, { timeout: 15_000 });
    await expect(succeeded.locator('td').nth(2)).toHaveText('200');
    // Its time in the app's one format (medium date, short time), as the ticket pages show times (issue 13 row 10).
    const when = succeeded.locator('time');
    const shown = await when.evaluate((el) =>
      new Date(el.getAttribute('datetime')!).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }),
    );
    await expect(when).toHaveText(shown);
    expect(JSON.parse(received.at(-1)!)).toMatchObject({ type: 'webhook.ping' });

    // The receiver breaks: the next ping's attempt fails with its status.
    failing = true;
    await hook.getByRole('button', { name: 'Ping' }).click();
    const broken = log
      .getByTestId('delivery-message')
      .filter({ has: page.locator('[data-testid="delivery-attempt"][data-status="failed"]') });
    await expect(broken).toHaveCount(1, { timeout: 15_000 });
    await expect(broken.locator('[data-status="failed"] td').nth(2)).toHaveText('500');

    // Fixed again: Redeliver sends the same message as attempt 2, which succeeds.
    failing = false;
    await broken.getByRole('button', { name: 'Redeliver' }).click();
    const attempts = broken.getByTestId('delivery-attempt');
    await expect(attempts).toHaveCount(2, { timeout: 15_000 });
    await expect(attempts.first()).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
    await expect(attempts.first().locator('td').first()).toHaveText('2');
    await expect(attempts.first().locator('td').nth(2)).toHaveText('200');

    // Choose its events among the registered types; rotate its secret (a new one is shown once).
    await hook.getByRole('button', { name: 'Edit' }).click();
    const events = hook.getByRole('group', { name: 'Events' });
    await expect(events.getByRole('checkbox')).not.toHaveCount(0);
    await expect(events.getByRole('checkbox', { checked: true })).toHaveCount(0);
    await events.getByRole('group', { name: 'Tickets' }).getByLabel('Ticket moved').check();
    await events.getByLabel('Ticket created').check();
    await hook.getByRole('button', { name: 'Save' }).click();
    await expect(hook.getByText('Events: Ticket created, Ticket moved')).toBeVisible();
    const saved = await api.call<{ results: { url: string; events: string[] }[] }>(
      'GET',
      `/webhooks/?project=${project.id}`,
    );
    expect(saved.results.find((h) => h.url === url)?.events.toSorted()).toEqual(['ticket.created', 'ticket.moved']);
    const firstSecret = await hook.getByTestId('webhook-secret').textContent();
    page.once('dialog', (dialog) => void dialog.accept());
    await hook.getByRole('button', { name: 'Rotate secret' }).click();
    await expect(hook.getByTestId('webhook-secret')).not.toHaveText(firstSecret!);
    await expect(hook.getByTestId('webhook-secret')).toHaveText(/^whsec_/);

    // Disable: the state shows and ping is no longer offered.
    await hook.getByRole('button', { name: 'Disable' }).click();
    await expect(hook.getByText('disabled', { exact: true })).toBeVisible();
    await expect(hook.getByRole('button', { name: 'Ping' })).toBeDisabled();
  });
});

test('settings are refused to a project member who is not a superadmin', async ({ browser, baseURL, api }) => {
  const project = await api.createProject('Settings refused');
  const username = `ada${Date.now().toString(36)}`;
  await api.createMember(project.id, username, 'admin', 'a long password');
  const context = await signedInContext(browser, baseURL!, username, 'a long password');
  const page = await context.newPage();
  await page.goto(`/projects/${project.id}/settings`);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByText('Error 403')).toBeVisible();
  await context.close();
});
