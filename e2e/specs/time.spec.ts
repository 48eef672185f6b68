import { expect, gotoReady, test } from '../src/fixtures.ts';

test('start a timer, reload, and stop it: the entry and the total appear', async ({ page, seedBoard }) => {
  const board = await seedBoard(['Bill the printer repair']);
  const ticket = board.column('To Do').tickets[0]!;
  await gotoReady(page, `/tickets/${ticket.id}`);
  const panel = page.getByTestId('time-panel');
  await expect(panel.getByTestId('time-total')).toHaveText('0 min');
  await panel.getByRole('button', { name: 'Start timer' }).click();
  await expect(panel.getByTestId('timer-running')).toBeVisible();

  // The timer lives on the server: a reload finds it running.
  await gotoReady(page, `/tickets/${ticket.id}`);
  await expect(panel.getByTestId('timer-running')).toBeVisible();
  await panel.getByRole('button', { name: 'Stop timer' }).click();

  await expect(panel.getByRole('button', { name: 'Start timer' })).toBeVisible();
  await expect(panel.getByTestId('time-entries').getByRole('listitem')).toHaveCount(1);
  await expect(panel.getByTestId('time-entries')).toContainText('1 min');
  await expect(panel.getByTestId('time-total')).toHaveText('1 min');
});
