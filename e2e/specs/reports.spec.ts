import { expect, gotoReady, signedInContext, test } from '../src/fixtures.ts';

test('reports: charts show the seeded numbers in their text alternatives', async ({ page, seedBoard, api }) => {
  const board = await seedBoard(['First', 'Second', 'Third', 'Fourth']);
  const [first, second, third] = board.column('To Do').tickets;
  await api.moveTicket(first!.id, { column: board.column('In Progress').id });
  await api.moveTicket(second!.id, { column: board.column('Done').id });
  await api.moveTicket(third!.id, { column: board.column('Done').id });

  // A long column name (issue 13 row 9).
  const longName = 'Waiting for the customer to confirm the fix';
  await api.call('PATCH', `/columns/${board.column('Review').id}/`, { name: longName });

  await gotoReady(page, `/projects/${board.project.id}/reports`);

  // Open tickets per column: the picture's label and its data table carry every number; the
  // done column's finished tickets are not open, so it is not counted (issue 13 row 9).
  const bars = page.getByTestId('bar-chart');
  await expect(bars.getByRole('img')).toHaveAttribute(
    'aria-label',
    `Open tickets per column: To Do 1, In Progress 1, ${longName} 0`,
  );
  // The long name is shown whole, not cut off.
  const label = bars.locator('.label', { hasText: longName });
  await expect(label).toHaveText(longName);
  expect(await label.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight)).toBe(
    true,
  );
  await bars.getByText('Data table').click();
  await expect(bars.locator('tbody tr')).toHaveText([/To Do\s*1/, /In Progress\s*1/, new RegExp(`${longName}\\s*0`)]);

  // Created vs done per day: 30 days, today (UTC, the last row) has 4 created and 2 done.
  const lines = page.getByTestId('line-chart');
  await expect(lines.getByRole('img')).toHaveAttribute('aria-label', /30 days .*totals: Created 4, Done 2/);
  // Round numbers on the value axis: 4 created at most, so 0 1 2 3 4 (issue 13 row 9).
  await expect(lines.locator('text.tick').filter({ hasText: /^\d+$/ })).toHaveText(['0', '1', '2', '3', '4']);
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
