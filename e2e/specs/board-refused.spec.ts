import { boardColumn, columnCards, dragWithMouse, expect, openBoard, signedInContext, test } from '../src/fixtures.ts';

test('a stale move is refused (409): the board is reloaded with a message', async ({ page, api, seedBoard }) => {
  const board = await seedBoard(['Stale card', 'Steady card']);
  // Hold this page's live events, so it keeps showing the card where it was.
  let holding = false;
  await page.routeWebSocket(/\/ws\/$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (!holding) ws.send(message);
    });
  });
  await openBoard(page, board.project.id);
  holding = true;

  const stale = board.column('To Do').tickets.find((t) => t.title === 'Stale card')!;
  await api.moveTicket(stale.id, { column: board.column('Review').id });
  await expect(boardColumn(page, 'To Do').getByText('Stale card')).toBeVisible();

  await dragWithMouse(page, 'Stale card', columnCards(page, 'In Progress'));
  await expect(page.getByTestId('notice').filter({ hasText: `${stale.key} was not moved` })).toBeVisible();
  // Reloaded: the card is where the server has it, not where it was dropped.
  await expect(boardColumn(page, 'Review').getByText('Stale card')).toBeVisible();
  await expect(boardColumn(page, 'In Progress').getByText('Stale card')).toHaveCount(0);
  const columns = await api.board(board.project.id);
  expect(columns.find((c) => c.name === 'Review')!.tickets.map((t) => t.id)).toEqual([stale.id]);
  expect(columns.find((c) => c.name === 'In Progress')!.tickets).toEqual([]);
});

test('a move the user may no longer make (403) is put back with a message saying why', async ({
  browser,
  baseURL,
  api,
  seedBoard,
}) => {
  const board = await seedBoard([]);
  // A plain member may move only the cards they reported or are assigned to: this one is theirs
  // when the board loads, and is taken from them while their board does not hear of it.
  const username = `member${Date.now()}`;
  const password = 'member password 1';
  const member = await api.createMember(board.project.id, username, 'user', password);
  const ticket = await api.call<{ id: number; key: string; version: number }>(
    'POST',
    '/tickets/',
    { project: board.project.id, column: board.column('To Do').id, title: 'Reassigned card', assignees: [member.id] },
    201,
  );
  const context = await signedInContext(browser, baseURL!, username, password);
  const page = await context.newPage();
  let holding = false;
  await page.routeWebSocket(/\/ws\/$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (!holding) ws.send(message);
    });
  });
  await openBoard(page, board.project.id);
  holding = true;
  await api.call('PATCH', `/tickets/${ticket.id}/`, { assignees: [] });

  await dragWithMouse(page, 'Reassigned card', columnCards(page, 'Review'));
  await expect(
    page.getByTestId('notice').filter({ hasText: `Only the reporter, assignees and admins can move ${ticket.key}` }),
  ).toBeVisible();
  await expect(boardColumn(page, 'To Do').getByText('Reassigned card')).toBeVisible();
  await expect(boardColumn(page, 'Review').getByText('Reassigned card')).toHaveCount(0);
  const columns = await api.board(board.project.id);
  expect(columns.find((c) => c.name === 'To Do')!.tickets.map((t) => t.title)).toEqual(['Reassigned card']);
  await context.close();
});
