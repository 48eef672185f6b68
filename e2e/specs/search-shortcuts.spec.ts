import { boardColumn, card, expect, gotoReady, openBoard, test } from '../src/fixtures.ts';

/** A word no other test's data holds. */
const uniqueWord = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 900 + 100)}`;

test('Ctrl-K finds a ticket by its key and by a word, and opens it', async ({ page, seedBoard }) => {
  const word = uniqueWord('quokka');
  const board = await seedBoard([`Invoice ${word} overdue`, 'Another card']);
  const ticket = board.column('To Do').tickets.find((t) => t.title.includes(word))!;
  await gotoReady(page, '/');

  await page.keyboard.press('Control+k');
  const palette = page.getByTestId('command-palette');
  const input = palette.getByRole('combobox');
  await expect(input).toBeFocused();
  await input.fill(ticket.key.toLowerCase());
  const first = palette.getByRole('option').first();
  await expect(first).toContainText(ticket.key);
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await expect(input).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tickets/${ticket.id}$`));
  await expect(palette).not.toBeVisible();

  // `/` opens it too (outside a field); a word finds the ticket, and the count is announced.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  await expect(input).toBeFocused();
  await input.fill(word.slice(0, -2));
  await expect(palette.getByTestId('search-status')).toHaveText('1 result');
  await expect(palette.getByRole('group', { name: 'Tickets' }).getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(palette).not.toBeVisible();

  await gotoReady(page, '/');
  await page.keyboard.press('Control+k');
  await input.fill(word);
  await expect(palette.getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/tickets/${ticket.id}$`));
});

test('? lists the shortcuts', async ({ page, seedBoard }) => {
  const board = await seedBoard(['A card']);
  await openBoard(page, board.project.id);
  await page.keyboard.press('?');
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(dialog.getByText('Move the focused card to the next column')).toBeVisible();
  await expect(dialog.getByText('Search everywhere').first()).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
});

test('] moves the focused card to the next column, and the move is kept', async ({ page, api, seedBoard }) => {
  const board = await seedBoard(['Keyboard mover', 'Stays put']);
  const mover = board.column('To Do').tickets.find((t) => t.title === 'Keyboard mover')!;
  await openBoard(page, board.project.id);
  // With nothing focused, an arrow key brings the focus to the first card.
  await page.keyboard.press('ArrowDown');
  await expect(card(page, 'Keyboard mover').getByRole('link')).toBeFocused();

  await page.keyboard.press(']');
  await expect(boardColumn(page, 'In Progress').getByText('Keyboard mover')).toBeVisible();
  await expect(page.getByTestId('board-announcer')).toHaveText(`${mover.key} moved to In Progress.`);
  await expect(card(page, 'Keyboard mover').getByRole('link')).toBeFocused();
  await expect
    .poll(async () =>
      (await api.board(board.project.id)).find((c) => c.name === 'In Progress')!.tickets.map((t) => t.id),
    )
    .toEqual([mover.id]);

  await page.reload();
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
  await expect(boardColumn(page, 'In Progress').getByText('Keyboard mover')).toBeVisible();
  await expect(boardColumn(page, 'To Do').getByText('Keyboard mover')).toHaveCount(0);

  // c opens the quick add of the first column (no card has the focus); typing there is never a shortcut.
  await page.keyboard.press('c');
  const field = page.getByRole('textbox', { name: /Title of the new card in To Do/ });
  await expect(field).toBeFocused();
  await field.fill('a]c[e');
  await expect(field).toHaveValue('a]c[e');
  await expect(boardColumn(page, 'In Progress').getByText('Keyboard mover')).toBeVisible();
});

test('on a ticket page, a assigns it to me and e edits the description', async ({ page, api, seedBoard }) => {
  const board = await seedBoard(['Assign me by key']);
  const ticket = board.column('To Do').tickets[0]!;
  await gotoReady(page, `/tickets/${ticket.id}`);
  await expect(page.locator('main.page')).toHaveAttribute('data-live', 'true');
  await page.keyboard.press('a');
  await expect(page.getByTestId('ticket-announcer')).toHaveText(`${ticket.key} assigned to you.`);
  await expect
    .poll(async () => (await api.call<{ assignees: number[] }>('GET', `/tickets/${ticket.id}/`)).assignees.length)
    .toBe(1);
  await page.keyboard.press('e');
  await expect(page.getByRole('tablist', { name: 'Description editor' })).toBeVisible();
});
