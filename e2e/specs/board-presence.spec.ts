import {
  ADMIN,
  boardColumn,
  card,
  cardTitles,
  columnCards,
  dragWithMouse,
  expect,
  openBoard,
  signedInContext,
  test,
} from '../src/fixtures.ts';

test('two people on one board see each other, and a drag in progress', async ({
  browser,
  baseURL,
  page,
  api,
  seedBoard,
}) => {
  const board = await seedBoard(['Shared card', 'Other card']);
  const username = `viewer${Date.now()}`;
  const password = 'viewer password 1';
  const viewer = await api.createMember(board.project.id, username, 'admin', password);
  const context = await signedInContext(browser, baseURL!, username, password);
  const other = await context.newPage();

  await openBoard(page, board.project.id);
  await openBoard(other, board.project.id);
  // The one who came first learns of the newcomer, and the newcomer of the one already there.
  await expect(page.getByTestId('viewer')).toHaveCount(1);
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-user-id', String(viewer.id));
  await expect(other.getByTestId('viewer')).toHaveCount(1);
  await expect(other.getByTestId('viewer')).toHaveAttribute('title', ADMIN.name);

  // Ada picks a card up and holds it: the other board marks it.
  const from = (await card(page, 'Shared card').boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 4 });
  await page.mouse.move(from.x + from.width / 2 + 40, from.y + from.height / 2 + 60, { steps: 6 });
  const mover = card(other, 'Shared card').getByTestId('card-mover');
  await expect(mover).toHaveText(`${ADMIN.name} is moving this`);
  await expect(card(other, 'Other card').getByTestId('card-mover')).toHaveCount(0);
  // Dropped: the mark goes.
  await page.mouse.up();
  await expect(mover).toHaveCount(0);

  // Leaving the board removes the viewer.
  await other.close();
  await expect(page.getByTestId('viewer')).toHaveCount(0);
  await context.close();
});

test('filters hide the cards that do not match, survive a reload, and drags among them land right', async ({
  page,
  api,
  seedBoard,
}) => {
  const board = await seedBoard(['A hidden', 'B shown', 'C hidden', 'D shown']);
  const todo = board.column('To Do');
  const byTitle = (title: string) => todo.tickets.find((t) => t.title === title)!;
  const tag = await api.call<{ id: number }>(
    'POST',
    '/tags/',
    { project: board.project.id, name: 'frontend', colour: '#22c55e' },
    201,
  );
  await api.call('PATCH', `/tickets/${byTitle('B shown').id}/`, { tags: [tag.id] });

  await openBoard(page, board.project.id);
  await page.getByRole('searchbox', { name: 'Text' }).fill('shown');
  await expect(page).toHaveURL(/[?&]q=shown(&|$)/);
  expect(await cardTitles(page, 'To Do')).toEqual(['B shown', 'D shown']);
  await expect(boardColumn(page, 'To Do').getByTestId('column-count')).toContainText('2 of 4');

  await page.reload();
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
  await expect(page.getByRole('searchbox', { name: 'Text' })).toHaveValue('shown');
  expect(await cardTitles(page, 'To Do')).toEqual(['B shown', 'D shown']);

  // D dropped onto B's place: above B among the shown cards. The hidden cards keep their places
  // around it, and the server has the same order as the board.
  await dragWithMouse(page, 'D shown', card(page, 'B shown'));
  await expect.poll(() => cardTitles(page, 'To Do')).toEqual(['D shown', 'B shown']);
  await expect
    .poll(async () => (await api.board(board.project.id)).find((c) => c.id === todo.id)!.tickets.map((t) => t.title))
    .toEqual(['D shown', 'A hidden', 'B shown', 'C hidden']);

  // A tag filter on top of the text; clearing shows everything again.
  await page.getByRole('combobox', { name: 'Tag' }).selectOption(String(tag.id));
  await expect(page).toHaveURL(new RegExp(`[?&]tag=${tag.id}(&|$)`));
  expect(await cardTitles(page, 'To Do')).toEqual(['B shown']);
  await page.reload();
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
  expect(await cardTitles(page, 'To Do')).toEqual(['B shown']);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect.poll(() => cardTitles(page, 'To Do')).toEqual(['D shown', 'A hidden', 'B shown', 'C hidden']);
});

test('a manager sees the board but cannot drag', async ({ browser, baseURL, api, seedBoard }) => {
  const board = await seedBoard(['Managed card']);
  const username = `manager${Date.now()}`;
  const password = 'manager password 1';
  await api.createMember(board.project.id, username, 'manager', password);
  const context = await signedInContext(browser, baseURL!, username, password);
  const page = await context.newPage();
  await openBoard(page, board.project.id);

  // The drop zones are disabled: no drag handles, the zone says so to screen readers.
  await expect(columnCards(page, 'To Do')).toHaveAttribute('aria-describedby', 'dnd-zone-drag-disabled');
  await expect(card(page, 'Managed card')).not.toHaveCSS('cursor', 'grab');
  await expect(page.getByRole('button', { name: /add a card/i })).toHaveCount(0);

  await dragWithMouse(page, 'Managed card', columnCards(page, 'Review'));
  await page.waitForTimeout(300);
  await expect(boardColumn(page, 'To Do').getByText('Managed card')).toBeVisible();
  await expect(page.getByTestId('notice')).toHaveCount(0);
  expect((await api.board(board.project.id)).find((c) => c.name === 'To Do')!.tickets.map((t) => t.title)).toEqual([
    'Managed card',
  ]);
  await context.close();
});

test('a long column renders its first cards, more on scrolling, and a drag in it keeps the rest', async ({
  page,
  api,
  seedBoard,
}) => {
  const titles = Array.from({ length: 60 }, (_, i) => `Long ${String(i + 1).padStart(2, '0')}`);
  const board = await seedBoard(titles);
  await openBoard(page, board.project.id);
  const todo = boardColumn(page, 'To Do');
  await expect(todo.getByTestId('column-count')).toHaveText('60');
  const rendered = await todo.getByTestId('card').count();
  expect(rendered).toBeLessThan(60);

  // A drag among the rendered cards: the server gets the order shown, the unrendered cards kept.
  await dragWithMouse(page, 'Long 03', card(page, 'Long 01'));
  const expected = ['Long 03', 'Long 01', 'Long 02', ...titles.slice(3)];
  await expect
    .poll(async () => (await api.board(board.project.id)).find((c) => c.name === 'To Do')!.tickets.map((t) => t.title))
    .toEqual(expected);

  // Scrolled to the end, the column renders the rest.
  await expect
    .poll(async () => {
      await columnCards(page, 'To Do').evaluate((list) => list.scrollTo({ top: list.scrollHeight }));
      return todo.getByTestId('card').count();
    })
    .toBe(60);
  // Read from the DOM (innerText is empty for cards scrolled out of view, which skip rendering).
  expect(await todo.locator('[data-testid="card"] .title').allTextContents()).toEqual(expected);
});
