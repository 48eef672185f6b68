import { expect, gotoReady, openBoard, test } from '../src/fixtures.ts';

const card = (page: import('@playwright/test').Page, title: string) =>
  page.getByTestId('card').filter({ hasText: title });

test('add a select field, set it on a card, filter the board by it', async ({ page, seedBoard }) => {
  const board = await seedBoard(['Printer on fire', 'Coffee machine']);

  // Settings: a select field shown on cards, with two options.
  await gotoReady(page, `/projects/${board.project.id}/settings`);
  const add = page.getByRole('form', { name: 'Add a field' });
  await add.getByLabel('New field').fill('Team');
  await add.getByLabel('Type').selectOption('select');
  await add.getByLabel('Options (comma-separated)').fill('Red, Blue');
  await add.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByTestId('field-settings')).toHaveCount(1);

  // The drawer sets it; the card shows it, live.
  await openBoard(page, board.project.id);
  await card(page, 'Printer on fire').getByRole('link', { name: 'Printer on fire' }).click();
  const drawer = page.getByRole('dialog', { name: 'Printer on fire' });
  await drawer.getByRole('combobox', { name: 'Team' }).selectOption({ label: 'Blue' });
  await expect(card(page, 'Printer on fire').getByRole('list', { name: 'Fields' })).toHaveText(/Blue/);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // The board's filter: in the URL, kept by a reload.
  await page.getByRole('search').getByRole('combobox', { name: 'Team' }).selectOption({ label: 'Blue' });
  await expect(page).toHaveURL(/[?&]field_\d+=\d+(&|$)/);
  await expect(card(page, 'Printer on fire')).toBeVisible();
  await expect(card(page, 'Coffee machine')).toHaveCount(0);
  await page.reload();
  await expect(card(page, 'Printer on fire')).toBeVisible();
  await expect(card(page, 'Coffee machine')).toHaveCount(0);
});
