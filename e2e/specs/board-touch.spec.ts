import { ADMIN, boardColumn, card, columnCards, expect, LanewayApi, openBoard, test } from '../src/fixtures.ts';

/**
 * A finger drag on a touch screen (a tablet), through Chromium's own touch input: touch start,
 * a hold (the board waits a moment so that a finger can still scroll a column), moves, release.
 */
test('a touch drag moves a card to another column', async ({ browser, baseURL, api, seedBoard }) => {
  const board = await seedBoard(['Tap one', 'Tap two']);
  const signedIn = await LanewayApi.signIn(baseURL!, ADMIN.username, ADMIN.password);
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1024, height: 768 },
    hasTouch: true,
    isMobile: true,
  });
  await context.addCookies([
    { name: 'session', value: signedIn.access, url: baseURL!, httpOnly: true, sameSite: 'Lax' },
  ]);
  await signedIn.dispose();
  const page = await context.newPage();
  await openBoard(page, board.project.id);

  const from = await card(page, 'Tap two').boundingBox();
  const to = await columnCards(page, 'In Progress').boundingBox();
  if (!from || !to) throw new Error('card or column not visible');
  const cdp = await context.newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: type === 'touchEnd' ? [] : [{ x: Math.round(x), y: Math.round(y) }],
    });

  const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  const end = { x: to.x + to.width / 2, y: to.y + 30 };
  await touch('touchStart', start.x, start.y);
  await page.waitForTimeout(300);
  for (let i = 1; i <= 15; i++) {
    await touch('touchMove', start.x + ((end.x - start.x) * i) / 15, start.y + ((end.y - start.y) * i) / 15);
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(100);
  await touch('touchEnd', end.x, end.y);

  await expect(boardColumn(page, 'In Progress').getByText('Tap two')).toBeVisible();
  await expect
    .poll(async () =>
      (await api.board(board.project.id)).find((c) => c.name === 'In Progress')!.tickets.map((t) => t.title),
    )
    .toEqual(['Tap two']);
  await context.close();
});
