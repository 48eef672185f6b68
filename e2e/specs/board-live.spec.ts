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

/** Two people on one board: what one does, the other sees without reloading. */
test.describe('one board in two browsers', () => {
  test('a mouse drag in one appears in the other within a second', async ({
    page,
    browser,
    baseURL,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Alpha', 'Bravo', 'Charlie']);
    const other = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
    const watcher = await other.newPage();
    await openBoard(page, board.project.id);
    await openBoard(watcher, board.project.id);

    await dragWithMouse(page, 'Bravo', columnCards(page, 'In Progress'));
    // Optimistic: on the dragging side at once.
    await expect(boardColumn(page, 'In Progress').getByText('Bravo')).toBeVisible({ timeout: 300 });
    // Live: on the other side within a second, no reload.
    await expect(boardColumn(watcher, 'In Progress').getByText('Bravo')).toBeVisible({ timeout: 1_000 });
    expect(await cardTitles(watcher, 'To Do')).toEqual(['Alpha', 'Charlie']);

    // And it is what the server has.
    const columns = await api.board(board.project.id);
    expect(columns.find((c) => c.name === 'In Progress')!.tickets.map((t) => t.title)).toEqual(['Bravo']);
    await other.close();
  });

  test('a keyboard move in one appears in the other within a second', async ({
    page,
    browser,
    baseURL,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Alpha', 'Bravo', 'Charlie']);
    const other = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
    const watcher = await other.newPage();
    await openBoard(page, board.project.id);
    await openBoard(watcher, board.project.id);

    // Space picks the card up, arrows move it, Space drops it.
    await card(page, 'Charlie').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');

    expect(await cardTitles(page, 'To Do')).toEqual(['Charlie', 'Alpha', 'Bravo']);
    await expect
      .poll(() => cardTitles(watcher, 'To Do'), { timeout: 1_000, intervals: [50] })
      .toEqual(['Charlie', 'Alpha', 'Bravo']);
    const columns = await api.board(board.project.id);
    expect(columns.find((c) => c.name === 'To Do')!.tickets.map((t) => t.title)).toEqual(['Charlie', 'Alpha', 'Bravo']);
    await other.close();
  });

  test('quick add, API changes and WIP limits show on both boards', async ({
    page,
    browser,
    baseURL,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Alpha']);
    const other = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
    const watcher = await other.newPage();
    await openBoard(page, board.project.id);
    await openBoard(watcher, board.project.id);

    await page.getByRole('button', { name: 'Add a card to In Progress' }).click();
    await page.getByLabel('Title of the new card in In Progress').fill('Quick one');
    await page.keyboard.press('Enter');
    await expect(boardColumn(page, 'In Progress').getByText('Quick one')).toBeVisible();
    await expect(boardColumn(watcher, 'In Progress').getByText('Quick one')).toBeVisible({ timeout: 1_000 });

    // A WIP limit set elsewhere: both boards show it, and going over it is flagged.
    await api.call('PATCH', `/columns/${board.column('In Progress').id}/`, { wip_limit: 1 });
    await expect(boardColumn(watcher, 'In Progress').getByTestId('column-count')).toHaveText(/1\s*\/\s*1/);
    await dragWithMouse(page, 'Alpha', columnCards(page, 'In Progress'));
    await expect(boardColumn(page, 'In Progress').getByTestId('column-count')).toHaveText(/2\s*\/\s*1/);
    await expect(boardColumn(watcher, 'In Progress').getByText('Over the WIP limit')).toBeVisible({ timeout: 1_000 });
    await other.close();
  });
});

test('while the socket is down a banner shows, and the moves made meanwhile arrive on reconnect', async ({
  page,
  api,
  seedBoard,
}) => {
  const board = await seedBoard(['Resumed']);
  let online = true;
  const routes: { close: (options?: { code?: number; reason?: string }) => Promise<void> }[] = [];
  await page.routeWebSocket(/\/ws\/$/, (ws) => {
    if (!online) return ws.close({ code: 1011, reason: 'test: offline' });
    routes.push(ws);
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => ws.send(message));
  });
  await openBoard(page, board.project.id);

  online = false;
  for (const route of routes) await route.close({ code: 1011, reason: 'test: dropped' });
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  const ticket = board.column('To Do').tickets[0]!;
  await api.moveTicket(ticket.id, { column: board.column('Done').id });
  await expect(boardColumn(page, 'To Do').getByText('Resumed')).toBeVisible();

  online = true;
  await expect(page.getByTestId('offline-banner')).toBeHidden({ timeout: 10_000 });
  await expect(boardColumn(page, 'Done').getByText('Resumed')).toBeVisible();
  await expect(boardColumn(page, 'To Do').getByText('Resumed')).toHaveCount(0);
});
