import { deflateSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import {
  card,
  expect,
  gotoReady,
  LanewayApi,
  openBoard,
  seriousAxeFindings,
  test,
  type Ticket,
} from '../src/fixtures.ts';

/** The ticket as the API has it now. */
interface FullTicket extends Ticket {
  description: string;
}

/** Opens /tickets/{id} as a page and waits until it follows the project live. */
async function openTicketPage(page: Page, id: number): Promise<void> {
  await gotoReady(page, `/tickets/${id}`);
  await expect(page.locator('main.page')).toHaveAttribute('data-live', 'true');
}

/** A one-pixel PNG followed by `padding` bytes (ignored by decoders), to make an upload take a while. */
function png(padding: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 0xdc, 0x26, 0x26]))),
    chunk('IEND', Buffer.alloc(0)),
    Buffer.alloc(padding),
  ]);
}

/** A unique username for this run. */
const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 90 + 10)}`;

test.describe('the ticket drawer and page', () => {
  test('a card opens the drawer at /tickets/{id}; Escape closes it; a reload shows the page', async ({
    page,
    seedBoard,
  }) => {
    const board = await seedBoard(['Printer on fire', 'Coffee machine']);
    const ticket = board.column('To Do').tickets.find((t) => t.title === 'Printer on fire')!;
    await openBoard(page, board.project.id);

    await card(page, 'Printer on fire').getByRole('link', { name: 'Printer on fire' }).click();
    const drawer = page.getByRole('dialog', { name: 'Printer on fire' });
    await expect(drawer).toBeVisible();
    await expect(drawer.getByTestId('ticket-title')).toHaveText('Printer on fire');
    await expect(page).toHaveURL(new RegExp(`/tickets/${ticket.id}$`));
    // The board is still there, under the drawer.
    await expect(page.getByTestId('board')).toBeAttached();

    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
    await expect(page).toHaveURL(new RegExp(`/projects/${board.project.id}$`));
    // The focus is back on the card's link, for keyboard users.
    await expect(card(page, 'Printer on fire').getByRole('link')).toBeFocused();

    // A reload of the ticket's URL is the full page, not a drawer.
    await gotoReady(page, `/tickets/${ticket.id}`);
    await expect(page.getByTestId('ticket-title')).toHaveText('Printer on fire');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`the open drawer has no serious or critical axe findings (${theme} theme)`, async ({
      page,
      api,
      baseURL,
      seedBoard,
    }) => {
      const board = await seedBoard(['Scan me']);
      const ticket = board.column('To Do').tickets[0]!;
      await api.call('PATCH', `/tickets/${ticket.id}/`, {
        description: '## Steps\n\n1. **Open** it\n2. See [the docs](https://example.com)\n\n`code`',
        due_at: '2026-12-01T10:00:00Z',
      });
      await api.call('POST', `/tickets/${ticket.id}/comments/`, { body: 'A comment with @admin' }, 201);
      await page.context().addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
      await openBoard(page, board.project.id);
      await card(page, 'Scan me').getByRole('link').click();
      const drawer = page.getByRole('dialog');
      await expect(drawer.getByTestId('comment')).toBeVisible();
      await expect(drawer.getByTestId('description').locator('strong')).toHaveText('Open');

      const serious = await seriousAxeFindings(page, '[data-testid="ticket-drawer"]');
      expect(serious).toEqual([]);
    });
  }

  test('the description renders Markdown and nothing that runs', async ({ page, api, seedBoard }) => {
    const board = await seedBoard(['Sanitise me']);
    const id = board.column('To Do').tickets[0]!.id;
    await openTicketPage(page, id);

    const source = [
      '**bold words** and a [safe link](https://example.com/docs)',
      '',
      '<img src="x" onerror="window.__pwned = true">',
      '',
      '[click me](javascript:alert(1)) <a href="javascript:window.__pwned=true">raw</a>',
      '',
      '<script>window.__pwned = true</script>',
    ].join('\n');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Description (Markdown)').fill(source);
    await page.getByRole('tab', { name: 'Preview' }).click();
    await expect(page.getByTestId('description-preview').locator('strong')).toHaveText('bold words');
    await page.getByRole('button', { name: 'Save' }).click();

    const description = page.getByTestId('description');
    await expect(description.locator('strong')).toHaveText('bold words');
    await expect(description.getByRole('link', { name: 'safe link' })).toHaveAttribute(
      'href',
      'https://example.com/docs',
    );
    // The image stays, without its handler; no link keeps a javascript: URL; no script element.
    await expect(description.locator('img')).toHaveCount(1);
    await expect(description.locator('[onerror]')).toHaveCount(0);
    const hrefs = await description.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs.some((href) => /javascript:/i.test(href ?? ''))).toBe(false);
    await expect(description.locator('script')).toHaveCount(0);
    await description.getByText('raw').click();
    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();

    // Stored as written: sanitising is the renderer's job.
    expect((await api.call<FullTicket>('GET', `/tickets/${id}/`)).description).toBe(source);
  });

  test("another user's change shows live in the open drawer", async ({ page, api, baseURL, seedBoard }) => {
    const board = await seedBoard(['Before the change']);
    const ticket = board.column('To Do').tickets[0]!;
    const username = uniqueName('eve');
    await api.createMember(board.project.id, username, 'admin', 'another good password');
    const other = await LanewayApi.signIn(baseURL!, username, 'another good password');

    await openBoard(page, board.project.id);
    await card(page, 'Before the change').getByRole('link').click();
    const drawer = page.getByRole('dialog');
    await expect(drawer.getByTestId('ticket-title')).toHaveText('Before the change');

    await other.call('PATCH', `/tickets/${ticket.id}/`, {
      title: 'Changed elsewhere',
      priority_id: 4,
      version: ticket.version,
    });
    await expect(drawer.getByTestId('ticket-title')).toHaveText('Changed elsewhere', { timeout: 2_000 });
    await expect(drawer.getByLabel('Priority')).toHaveValue('4');
    await other.call('POST', `/tickets/${ticket.id}/comments/`, { body: 'Seen from afar' }, 201);
    await expect(drawer.getByTestId('comment').filter({ hasText: 'Seen from afar' })).toBeVisible();
    await other.dispose();
  });

  test('the full page follows the project from the seq it was read at: a change made after shows live', async ({
    page,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Watched on its page', 'A neighbour']);
    const ticket = board.column('To Do').tickets.find((t) => t.title === 'Watched on its page')!;
    // Events before the page was read (this one) must not be needed, nor replayed as news.
    await api.call('PATCH', `/tickets/${ticket.id}/`, { title: 'Renamed before', version: ticket.version });
    await openTicketPage(page, ticket.id);
    await expect(page.getByTestId('ticket-title')).toHaveText('Renamed before');

    await api.call('PATCH', `/tickets/${ticket.id}/`, { title: 'Renamed after', version: ticket.version + 1 });
    await expect(page.getByTestId('ticket-title')).toHaveText('Renamed after', { timeout: 2_000 });
  });

  test('a description saved over someone else’s newer one keeps the draft, shows theirs, and saves on purpose', async ({
    page,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Two editors']);
    const ticket = board.column('To Do').tickets[0]!;
    await openTicketPage(page, ticket.id);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const box = page.getByLabel('Description (Markdown)');
    await box.fill('My careful write-up');
    await api.call('PATCH', `/tickets/${ticket.id}/`, { description: 'Their quick note', version: ticket.version });
    await expect(page.locator('[data-testid="ticket"]')).toHaveAttribute('data-version', String(ticket.version + 1));

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = page.getByTestId('description-conflict');
    await expect(conflict).toContainText('Someone else changed the description');
    await expect(conflict).toContainText('Their quick note');
    await expect(box).toHaveValue('My careful write-up');
    expect((await api.call<FullTicket>('GET', `/tickets/${ticket.id}/`)).description).toBe('Their quick note');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('description')).toContainText('My careful write-up');
    expect((await api.call<FullTicket>('GET', `/tickets/${ticket.id}/`)).description).toBe('My careful write-up');
  });

  test('Escape in a comment with text in it leaves the box, not the drawer; the next one closes it', async ({
    page,
    seedBoard,
  }) => {
    const board = await seedBoard(['Draft keeper']);
    await openBoard(page, board.project.id);
    await card(page, 'Draft keeper').getByRole('link').click();
    const drawer = page.getByRole('dialog');
    const box = drawer.getByLabel('New comment');
    await box.fill('Half a thought');
    await box.press('Escape');
    await expect(drawer).toBeVisible();
    await expect(box).toHaveValue('Half a thought');
    await page.keyboard.press('Escape');
    await expect(drawer).toBeHidden();
  });

  test('a comment with an @mention, and a threaded reply', async ({ page, api, seedBoard }) => {
    const board = await seedBoard(['Talk about it']);
    const id = board.column('To Do').tickets[0]!.id;
    const username = uniqueName('mira');
    await api.createMember(board.project.id, username, 'user', 'another good password');
    await openTicketPage(page, id);

    const box = page.getByLabel('New comment');
    await box.click();
    await box.pressSequentially('Hello @mir');
    const suggestions = page.getByRole('listbox', { name: 'Mention a member' });
    await expect(suggestions.getByRole('option', { name: new RegExp(`@${username}`) })).toBeVisible();
    await box.press('Enter');
    await expect(box).toHaveValue(`Hello @${username} `);
    await box.pressSequentially('can you look?');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();

    const first = page.getByTestId('comment').filter({ hasText: 'can you look?' });
    await expect(first.locator('.mention')).toHaveText(`@${username}`);
    await expect(box).toHaveValue('');

    await first.getByRole('button', { name: 'Reply' }).click();
    await page.getByLabel(/^Reply to/).fill('On it, replying in the thread');
    await page.getByRole('button', { name: 'Reply', exact: true }).last().click();
    const reply = first.getByRole('list', { name: 'Replies' }).getByTestId('comment');
    await expect(reply).toHaveText(/On it, replying in the thread/);

    const comments = await api.call<{ results: { id: number; parent: number | null; body: string }[] }>(
      'GET',
      `/tickets/${id}/comments/`,
    );
    const parent = comments.results.find((c) => c.body.includes('can you look?'))!;
    expect(comments.results.find((c) => c.body.includes('On it'))!.parent).toBe(parent.id);

    // One's own comments can be edited and deleted; a deleted one with replies stays as a tombstone.
    await reply.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit comment').fill('On it, **edited**');
    await reply.getByRole('button', { name: 'Save' }).click();
    await expect(reply.locator('.markdown strong')).toHaveText('edited');
    await expect(reply).toContainText('(edited)');
    const thread = page.locator(`[data-comment-id="${parent.id}"]`);
    await thread.getByRole('button', { name: 'Delete' }).first().click();
    await thread.getByRole('button', { name: 'Delete' }).first().click();
    await expect(thread).toContainText('This comment was deleted.');
    await expect(thread).not.toContainText('can you look?');
    await expect(thread.getByRole('list', { name: 'Replies' })).toContainText('On it, edited');
  });

  test('the staff comment box writes an internal note unless "Visible to client" is on', async ({
    page,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Notes and answers']);
    const id = board.column('To Do').tickets[0]!.id;
    await openTicketPage(page, id);
    const box = page.getByLabel('New comment');
    const visible = page.getByRole('switch', { name: 'Visible to client' });
    await expect(visible).not.toBeChecked();
    await expect(page.getByTestId('comment-visibility').first()).toHaveText('Internal note: staff only');
    await box.fill('Only for us');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const note = page.getByTestId('comment').filter({ hasText: 'Only for us' });
    await expect(note.getByTestId('internal-badge')).toHaveText('Internal note');

    await visible.check();
    await expect(page.getByTestId('comment-visibility').first()).toHaveText('The client will see this comment');
    await box.fill('For the client');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const answer = page.getByTestId('comment').filter({ hasText: 'For the client' });
    await expect(answer).toBeVisible();
    await expect(answer.getByTestId('internal-badge')).toHaveCount(0);

    const stored = await api.call<{ results: { body: string; internal: boolean }[] }>(
      'GET',
      `/tickets/${id}/comments/`,
    );
    expect(stored.results.map((c) => [c.body, c.internal])).toEqual([
      ['Only for us', true],
      ['For the client', false],
    ]);
  });

  test('an image upload shows its progress, then a preview', async ({ page, seedBoard }) => {
    const board = await seedBoard(['Screenshot attached']);
    const id = board.column('To Do').tickets[0]!.id;
    await openTicketPage(page, id);

    // A slow uplink (about 256 KB/s) so the progress can be seen moving.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    await page.getByLabel('Attach files').setInputFiles({
      name: 'screen.png',
      mimeType: 'image/png',
      buffer: png(640 * 1024),
    });
    const progress = page.getByRole('progressbar', { name: 'Uploading screen.png' });
    await expect(progress).toBeVisible();
    // It moves: some fraction sent, the bar still there (a vanished bar reads -1 and fails).
    await expect
      .poll(() => progress.evaluate((bar: HTMLProgressElement) => bar.value, null, { timeout: 500 }).catch(() => -1), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    const attachment = page.getByTestId('attachment').filter({ hasText: 'screen.png' });
    await expect(attachment).toBeVisible({ timeout: 15_000 });
    await expect(progress).toHaveCount(0);
    const thumbnail = attachment.getByRole('img', { name: 'screen.png', exact: true });
    await expect(thumbnail).toBeVisible();
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    await expect(attachment.getByRole('link', { name: 'screen.png' })).toHaveAttribute('href', /\/download\/$/);

    // Click to view it large; Escape closes the viewer.
    await attachment.getByRole('button', { name: /View screen\.png/ }).click();
    await expect(page.getByTestId('image-viewer')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('image-viewer')).toHaveCount(0);
  });

  test('priority, assignees, tags, company, contact and due date are saved as they are chosen', async ({
    page,
    api,
    seedBoard,
  }) => {
    const board = await seedBoard(['Fill me in']);
    const id = board.column('To Do').tickets[0]!.id;
    const suffix = Date.now().toString(36);
    const company = await api.call<{ id: number }>('POST', '/companies/', { name: `Globex ${suffix}` }, 201);
    await api.call('PATCH', `/projects/${board.project.id}/`, { companies: [company.id] });
    const contact = await api.call<{ id: number }>(
      'POST',
      '/contacts/',
      { company: company.id, name: `Hank ${suffix}`, email: `hank${suffix}@globex.test` },
      201,
    );
    const tag = await api.call<{ id: number }>(
      'POST',
      '/tags/',
      { project: board.project.id, name: 'urgent-ish', colour: '#dc2626' },
      201,
    );
    await openTicketPage(page, id);
    // A slow server: the picks below queue up, and each must go out with the version the one
    // before it produced (sent at once, all but the first would be refused as stale).
    await page.route(`**/api/tickets/tickets/${id}/`, async (route) => {
      if (route.request().method() === 'PATCH') await new Promise((resolve) => setTimeout(resolve, 300));
      await route.fallback();
    });

    await page.getByLabel('Priority').selectOption({ label: 'High' });
    await page.getByText('Nobody').click();
    await page.getByRole('checkbox', { name: 'Ada Admin' }).check();
    await page.getByText('Edit tags').click();
    await page.getByRole('checkbox', { name: 'urgent-ish' }).check();
    await page.getByLabel('Company').selectOption({ label: `Globex ${suffix}` });
    await page.getByLabel('Contact').selectOption({ label: `Hank ${suffix} <hank${suffix}@globex.test>` });
    await page.getByLabel('Due').fill('2026-12-24T09:30');
    await page.getByLabel('Due').blur();
    const due = await page.evaluate(() => new Date('2026-12-24T09:30').toISOString());

    await expect
      .poll(async () => {
        const t = await api.call<Record<string, unknown>>('GET', `/tickets/${id}/`);
        return [t.priority_id, t.assignees, t.tags, t.company, t.contact, t.due_at];
      })
      .toEqual([3, [(await api.call<{ id: number }>('GET', '/auth/me/')).id], [tag.id], company.id, contact.id, due]);
    await expect(page.getByText(/Not saved|changed by someone else/)).toHaveCount(0);
    // And the page still shows what was saved after a reload.
    await page.unrouteAll();
    await openTicketPage(page, id);
    await expect(page.getByLabel('Contact')).toHaveValue(String(contact.id));
    await expect(page.getByLabel('Due')).toHaveValue('2026-12-24T09:30');
  });

  test("a refused edit rolls back with the server's message", async ({ page, api, seedBoard }) => {
    const board = await seedBoard(['Guarded']);
    const ticket = board.column('To Do').tickets[0]!;
    await openTicketPage(page, ticket.id);
    const priority = page.getByLabel('Priority');
    const before = await priority.inputValue();

    // The server refuses (say the caller's role was lowered a moment ago).
    await page.route(`**/api/tickets/tickets/${ticket.id}/`, (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill({
            status: 403,
            contentType: 'application/json',
            body: JSON.stringify({
              error: { code: 'forbidden', message: 'You may not edit this ticket', details: null },
            }),
          })
        : route.fallback(),
    );
    await priority.selectOption({ label: 'Urgent' });
    await expect(page.getByText('Not saved: You may not edit this ticket')).toBeVisible();
    await expect(priority).toHaveValue(before);
    expect((await api.call<FullTicket & { priority_id: number }>('GET', `/tickets/${ticket.id}/`)).priority_id).toBe(
      Number(before),
    );
  });

  test('a stale edit shows the conflict message and the fresh value', async ({ page, api, seedBoard }) => {
    const board = await seedBoard(['Original title']);
    const ticket = board.column('To Do').tickets[0]!;
    await openTicketPage(page, ticket.id);

    // Start editing, then someone else renames the ticket meanwhile.
    await page.getByTestId('ticket-title').getByRole('button').click();
    const input = page.getByLabel('Title', { exact: true });
    await expect(input).toHaveValue('Original title');
    await api.call('PATCH', `/tickets/${ticket.id}/`, { title: 'Renamed by someone else', version: ticket.version });
    await expect(page.locator('[data-testid="ticket"]')).toHaveAttribute('data-version', String(ticket.version + 1));

    await input.fill('My stale title');
    await input.press('Enter');
    await expect(page.getByText(/changed by someone else meanwhile/)).toBeVisible();
    await expect(page.getByTestId('ticket-title')).toHaveText('Renamed by someone else');
    expect((await api.call<FullTicket>('GET', `/tickets/${ticket.id}/`)).title).toBe('Renamed by someone else');
  });
});
