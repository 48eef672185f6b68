import { expect, gotoReady, seriousAxeFindings, signedInContext, test } from '../src/fixtures.ts';

interface Named {
  id: number;
}
interface Col {
  id: number;
  category: string;
}

/**
 * The portal's ticket page as a client expects it (issue 13 items 4, 14, 16): the description
 * rendered as Markdown, files uploaded and listed, the visible comments but never an internal
 * note, and closing and reopening their own ticket; with no serious axe finding in either theme.
 */
test('a client reads Markdown, uploads a file, sees visible comments only, closes and reopens', async ({
  browser,
  baseURL,
  api,
}) => {
  test.setTimeout(60_000);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const password = 'client password 1';
  const username = `pia${suffix}`;
  const project = await api.createProject(`Portal ticket ${suffix}`);
  const company = await api.call<Named>('POST', '/companies/', { name: `Initech ${suffix}` }, 201);
  const client = await api.call<Named>(
    'POST',
    '/users/',
    { username, email: `${username}@laneway.test`, password, name: 'Pia Client' },
    201,
  );
  await api.call('PATCH', `/companies/${company.id}/`, { users: [client.id] });
  await api.call('PATCH', `/projects/${project.id}/`, { companies: [company.id] });
  const columns = (await api.call<{ results: Col[] }>('GET', `/columns/?project=${project.id}`)).results;

  const clientContext = await signedInContext(browser, baseURL!, username, password);
  const portal = await clientContext.newPage();
  await gotoReady(portal, '/portal');
  await portal.getByRole('button', { name: 'New ticket' }).click();
  await portal.getByLabel('Title').fill('Stapler missing');
  await portal.getByLabel('Description').fill('It was **red**.\n\n- Floor 2\n- Desk 4');
  await portal.getByRole('button', { name: 'Create ticket' }).click();
  await expect(portal).toHaveURL(/\/portal\/tickets\/\d+$/);
  const ticketId = Number(new URL(portal.url()).pathname.split('/').pop());

  // Rendered Markdown, not its source.
  const description = portal.getByTestId('portal-description');
  await expect(description.locator('strong')).toHaveText('red');
  await expect(description.locator('li')).toHaveText(['Floor 2', 'Desk 4']);
  await expect(description).not.toContainText('**');

  // An agent writes a visible comment and an internal note: the client sees only the first, live.
  await api.call('POST', `/tickets/${ticketId}/comments/`, { body: 'Internal: check *Milton*', internal: true }, 201);
  await api.call('POST', `/tickets/${ticketId}/comments/`, { body: 'We found a _red_ one' }, 201);
  const comments = portal.getByTestId('portal-comment');
  await expect(comments).toHaveCount(1);
  await expect(comments.first().locator('em')).toHaveText('red');
  await expect(portal.getByText('Milton')).toHaveCount(0);
  // After a reload too.
  await gotoReady(portal, `/portal/tickets/${ticketId}`);
  await expect(comments).toHaveCount(1);
  await expect(portal.getByText('Milton')).toHaveCount(0);

  // The support answered last: the list says so.
  await gotoReady(portal, '/portal');
  await expect(
    portal.getByTestId('portal-ticket').filter({ hasText: 'Stapler missing' }).getByTestId('waiting-for-you'),
  ).toBeVisible();
  await gotoReady(portal, `/portal/tickets/${ticketId}`);

  // A file, uploaded and listed with its download link.
  await portal.locator('#portal-attach').setInputFiles({
    name: 'receipt.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('One red stapler, 12 EUR\n'),
  });
  const file = portal.getByTestId('portal-attachment').filter({ hasText: 'receipt.txt' });
  await expect(file).toBeVisible();
  await expect(file.getByRole('link', { name: 'receipt.txt' })).toHaveAttribute('href', /\/attachments\/\d+\/download/);
  await expect(portal.getByTestId('portal-upload')).toHaveCount(0);
  const stored = await api.call<{ results: { filename: string }[] }>('GET', `/tickets/${ticketId}/attachments/`);
  expect(stored.results.map((a) => a.filename)).toEqual(['receipt.txt']);

  // Close, then reopen: the status follows, and the ticket moved between columns.
  await portal.getByRole('button', { name: 'Close ticket' }).click();
  await expect(portal.getByTestId('ticket-status')).toHaveText('Done');
  const done = columns.find((c) => c.category === 'done')!;
  expect((await api.call<{ column: number }>('GET', `/tickets/${ticketId}/`)).column).toBe(done.id);
  await portal.getByRole('button', { name: 'Reopen ticket' }).click();
  await expect(portal.getByTestId('ticket-status')).not.toHaveText('Done');
  await expect(portal.getByRole('button', { name: 'Close ticket' })).toBeVisible();

  // No serious axe finding on the page, in either theme.
  for (const theme of ['light', 'dark'] as const) {
    await clientContext.addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
    await gotoReady(portal, `/portal/tickets/${ticketId}`);
    await expect(portal.locator('html')).toHaveAttribute('data-theme', theme);
    await expect(portal.getByTestId('portal-attachment')).toHaveCount(1);
    expect(await seriousAxeFindings(portal, '.main'), theme).toEqual([]);
    await gotoReady(portal, '/portal');
    expect(await seriousAxeFindings(portal, '.main'), `${theme} list`).toEqual([]);
    await gotoReady(portal, '/notifications');
    await expect(portal.getByTestId('notification-preferences').getByRole('group').first()).toBeVisible();
    expect(await seriousAxeFindings(portal, '.main'), `${theme} notifications`).toEqual([]);
  }
  await clientContext.close();
});
