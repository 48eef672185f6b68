import { ADMIN, expect, openBoard, signedInContext, test } from '../src/fixtures.ts';

test('tick a checklist item in the drawer and a second viewer sees "1/3" on the card', async ({
  page,
  api,
  browser,
  baseURL,
  seedBoard,
}) => {
  const board = await seedBoard(['Replace the toner']);
  const ticket = board.column('To Do').tickets[0]!;
  for (const text of ['Open the printer', 'Swap the cartridge', 'Print a test page']) {
    await api.call('POST', `/tickets/${ticket.id}/checklist/`, { text }, 201);
  }
  const other = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
  const viewer = await other.newPage();
  await openBoard(viewer, board.project.id);
  const seen = viewer.getByTestId('card').filter({ hasText: 'Replace the toner' }).getByTestId('card-checklist');
  await expect(seen).toHaveText(/0\/3/);

  await openBoard(page, board.project.id);
  await page.getByTestId('card').getByRole('link', { name: 'Replace the toner' }).click();
  const drawer = page.getByRole('dialog', { name: 'Replace the toner' });
  await drawer.getByRole('checkbox', { name: 'Done: Open the printer' }).check();
  await expect(drawer.getByTestId('checklist-progress')).toHaveText('1/3');

  await expect(seen).toHaveText(/1\/3/);
  await other.close();
});
