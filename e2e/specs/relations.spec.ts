import { expect, openBoard, test } from '../src/fixtures.ts';

test('link a ticket as blocking another in the drawer: the other card shows Blocked', async ({ page, seedBoard }) => {
  const board = await seedBoard(['Order a new fan', 'Restart the server']);
  const blocked = board.column('To Do').tickets.find((t) => t.title === 'Restart the server')!;
  await openBoard(page, board.project.id);
  await page.getByTestId('card').getByRole('link', { name: 'Order a new fan' }).click();
  const drawer = page.getByRole('dialog', { name: 'Order a new fan' });
  const panel = drawer.getByTestId('relations');
  await panel.getByRole('combobox', { name: 'Link kind' }).selectOption('blocks');
  await panel.getByRole('searchbox', { name: 'Find a ticket to link' }).fill(blocked.key);
  await panel.getByRole('button', { name: `${blocked.key} Restart the server` }).click();
  await expect(panel.getByRole('link', { name: `${blocked.key} Restart the server` })).toBeVisible();
  await expect(panel).toContainText('Blocks');
  await expect(
    page.getByTestId('card').filter({ hasText: 'Restart the server' }).getByTestId('card-blocked'),
  ).toBeVisible();
  // Not only live: the board as loaded shows it too, and the blocker's card does not.
  await openBoard(page, board.project.id);
  await expect(
    page.getByTestId('card').filter({ hasText: 'Restart the server' }).getByTestId('card-blocked'),
  ).toBeVisible();
  await expect(page.getByTestId('card').filter({ hasText: 'Order a new fan' }).getByTestId('card-blocked')).toHaveCount(
    0,
  );
});
