import { expect, gotoReady, signedInContext, test } from '../src/fixtures.ts';

test('reports: charts show the seeded numbers in their text alternatives', async ({ page, seedBoard, api }) => {
  const board = await seedBoard(['First', 'Second', 'Third', 'Fourth']);
  const [first, second, third] = board.column('To Do').tickets;
  await api.moveTicket(first!.id, { column: board.column('In Progress').id });
  await api.moveTicket(second!.id, { column: board.column('Done').id });
  await api.moveTicket(third!.id, { column: board.column('Done').id });

  await gotoReady(page, `/projects/${board.project.id}/reports`);

  // Tickets per column: the picture's label and its data table carry every number.
  const bars = page.getByTestId('bar-chart');
  await expect(bars.getByRole('img')).toHaveAttribute(
    'aria-label',
    'Open tickets per column: To Do 1, In Progress 1, Review 0, Done 2',
  );
  await bars.getByText('Data table').click();
  await expect(bars.locator('tbody tr')).toHaveText([/To Do\s*1/, /In Progress\s*1/, /Review\s*0/, /Done\s*2/]);

  // Created vs done per day: 30 days, today (UTC, the last row) has 4 created and 2 done.
  const lines = page.getByTestId('line-chart');
  await expect(lines.getByRole('img')).toHaveAttribute('aria-label', /30 days .*totals: Created 4, Done 2/);
  const today = new Date().toISOString().slice(0, 10);
  await lines.getByText('Data table').click();
  const rows = lines.locator('tbody tr');
  await expect(rows).toHaveCount(30);
  await expect(rows.last().locator('th')).toHaveText(today);
  await expect(rows.last().locator('td')).toHaveText(['4', '2']);

  // Cycle time: two tickets done.
  await expect(page.getByTestId('cycle-time').locator('dd').first()).toHaveText('2');

  // Another period is a URL away, kept in the address.
  await page.getByLabel('Period', { exact: true }).selectOption('7');
  await expect(page).toHaveURL(/days=7/);
  await expect(lines.locator('tbody tr')).toHaveCount(7);
});

test('reports are refused to a plain project user', async ({ browser, baseURL, api }) => {
  const project = await api.createProject('Reports refused');
  const username = `uma${Date.now().toString(36)}`;
  await api.createMember(project.id, username, 'user', 'a long password');
  const context = await signedInContext(browser, baseURL!, username, 'a long password');
  const page = await context.newPage();
  await page.goto(`/projects/${project.id}/reports`);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await context.close();
});
