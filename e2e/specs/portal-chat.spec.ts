import { ADMIN, expect, gotoReady, seriousAxeFindings, signedInContext, test } from '../src/fixtures.ts';

interface Named {
  id: number;
}
interface RoomPage {
  results: { id: number }[];
}
interface MessagePage {
  results: { body: string }[];
}

/** The client portal: a company person sees only their company's tickets, files one and chats with an agent. */
test('a company user sees only their tickets, files one and chats with an agent live', async ({
  browser,
  baseURL,
  api,
}) => {
  test.setTimeout(60_000);
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const password = 'client password 1';
  const username = `carla${suffix}`;

  // Seed: two companies on one project, a person of the first, a ticket of each.
  const project = await api.createProject(`Portal ${suffix}`);
  const ours = await api.call<Named>('POST', '/companies/', { name: `Acme ${suffix}` }, 201);
  const theirs = await api.call<Named>('POST', '/companies/', { name: `Globex ${suffix}` }, 201);
  const client = await api.call<Named>(
    'POST',
    '/users/',
    { username, email: `${username}@laneway.test`, password, name: 'Carla Client' },
    201,
  );
  await api.call('PATCH', `/companies/${ours.id}/`, { users: [client.id] });
  await api.call('PATCH', `/projects/${project.id}/`, { companies: [ours.id, theirs.id] });
  await api.call('POST', '/tickets/', { project: project.id, title: 'Acme printer jammed', company: ours.id }, 201);
  await api.call('POST', '/tickets/', { project: project.id, title: 'Globex secret plans', company: theirs.id }, 201);

  // The client lands on the portal and sees their company's ticket only.
  const clientContext = await signedInContext(browser, baseURL!, username, password);
  const portal = await clientContext.newPage();
  await gotoReady(portal, '/');
  await expect(portal).toHaveURL(/\/portal$/);
  await expect(portal.getByRole('heading', { name: 'My tickets' })).toBeVisible();
  await expect(portal.getByTestId('portal-ticket')).toHaveCount(1);
  await expect(portal.getByTestId('portal-ticket')).toContainText('Acme printer jammed');
  await expect(portal.getByText('Globex secret plans')).toHaveCount(0);

  // Live: an agent files one for the client's company (it appears), and one for the other
  // company (it does not).
  await portal.waitForTimeout(500);
  await api.call('POST', '/tickets/', { project: project.id, title: 'Acme toner low', company: ours.id }, 201);
  await api.call('POST', '/tickets/', { project: project.id, title: 'Globex merger', company: theirs.id }, 201);
  await expect(portal.getByTestId('portal-ticket')).toHaveCount(2, { timeout: 5_000 });
  await expect(portal.getByTestId('portal-ticket').filter({ hasText: 'Acme toner low' })).toBeVisible();
  await expect(portal.getByText('Globex merger')).toHaveCount(0);

  // Staff pages send them back to the portal.
  for (const path of [`/projects/${project.id}`, '/admin', '/chat']) {
    await portal.goto(path);
    await expect(portal).toHaveURL(/\/portal$/);
  }
  // Also when the app navigates there itself (a client-side navigation, no page load).
  await gotoReady(portal, '/portal');
  await portal.evaluate(() => {
    const link = Object.assign(document.createElement('a'), { href: '/chat' });
    document.body.append(link);
    link.click();
  });
  await expect(portal).toHaveURL(/\/portal$/);
  await expect(portal.getByRole('heading', { name: 'Chat' })).toHaveCount(0);
  await expect(portal.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await expect(portal.getByRole('link', { name: 'Projects' })).toHaveCount(0);

  // A new ticket, then its page with its chat.
  await gotoReady(portal, '/portal');
  await portal.getByRole('button', { name: 'New ticket' }).click();
  await portal.getByLabel('Title').fill('Cannot print invoices');
  await portal.getByLabel('Description').fill('Since this morning the printer says PC LOAD LETTER.');
  await portal.getByRole('button', { name: 'Create ticket' }).click();
  await expect(portal).toHaveURL(/\/portal\/tickets\/\d+$/);
  const ticketId = Number(new URL(portal.url()).pathname.split('/').pop());
  await expect(portal.getByRole('heading', { name: /Cannot print invoices/ })).toBeVisible();
  await expect(portal.getByText('PC LOAD LETTER')).toBeVisible();
  await expect(portal.getByTestId('chat-room')).toHaveAttribute('data-ready', 'true');

  // The ticket is the company's, and listed on the portal.
  const ticket = await api.call<{ company: number | null; key: string }>('GET', `/tickets/${ticketId}/`);
  expect(ticket.company).toBe(ours.id);

  // An agent opens the same ticket's room in another browser.
  const room = (await api.call<RoomPage>('GET', `/chat/rooms/?ticket=${ticketId}`)).results[0]!;
  const agentContext = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
  const agent = await agentContext.newPage();
  await gotoReady(agent, `/chat?room=${room.id}`);
  await expect(agent.getByTestId('chat-room')).toHaveAttribute('data-ready', 'true');
  // The agent's room list names the room by its ticket's title.
  await expect(agent.getByTestId('chat-room-link').filter({ hasText: 'Cannot print invoices' })).toBeVisible();

  const clientBox = portal.getByRole('textbox', { name: 'Message' });
  const agentBox = agent.getByRole('textbox', { name: 'Message' });
  const lines = (page: typeof portal, text: string) => page.getByTestId('chat-message').filter({ hasText: text });

  // Client → agent, live.
  await clientBox.fill('Hello, the printer is on fire');
  await clientBox.press('Enter');
  await expect(lines(portal, 'printer is on fire')).toHaveAttribute('data-status', 'sent');
  await expect(lines(portal, 'printer is on fire')).toHaveClass(/\bown\b/);
  await expect(lines(agent, 'printer is on fire')).toBeVisible({ timeout: 1_000 });
  await expect(lines(agent, 'printer is on fire')).toContainText('Carla Client');

  // The agent types (the client sees it), then answers: live on the client's side.
  await agentBox.fill('On it');
  await expect(portal.getByTestId('chat-typing')).toHaveText(/is typing…/, { timeout: 1_000 });
  await agentBox.press('Enter');
  await expect(lines(portal, 'On it')).toBeVisible({ timeout: 1_000 });
  await expect(lines(portal, 'On it')).not.toHaveClass(/\bown\b/);
  await expect(portal.getByTestId('chat-typing')).toHaveText('');

  // The client types: the agent sees who.
  await clientBox.fill('Thanks');
  await expect(agent.getByTestId('chat-typing')).toHaveText(/Carla Client is typing…/, { timeout: 1_000 });
  await clientBox.fill('');

  // Offline: the message shows as not sent; Retry once online delivers it, stored once.
  await clientContext.setOffline(true);
  await clientBox.fill('Sent while offline');
  await clientBox.press('Enter');
  const offline = lines(portal, 'Sent while offline');
  await expect(offline).toContainText('Not sent');
  await expect(offline).toHaveAttribute('data-status', 'failed');
  await clientContext.setOffline(false);
  await offline.getByRole('button', { name: 'Retry' }).click();
  await expect(offline).toHaveAttribute('data-status', 'sent', { timeout: 10_000 });
  await expect(lines(agent, 'Sent while offline')).toHaveCount(1, { timeout: 2_000 });
  const history = await api.call<MessagePage>('GET', `/chat/rooms/${room.id}/messages/`);
  expect(history.results.filter((m) => m.body === 'Sent while offline')).toHaveLength(1);
  expect(history.results.map((m) => m.body)).toEqual(['Hello, the printer is on fire', 'On it', 'Sent while offline']);

  // After a reload the conversation is all there, once.
  await gotoReady(portal, `/portal/tickets/${ticketId}`);
  await expect(portal.getByTestId('chat-message')).toHaveCount(3);

  // The portal's pages pass an axe scan.
  expect(await seriousAxeFindings(portal, '.main')).toEqual([]);
  await gotoReady(portal, '/portal');
  await portal.getByRole('button', { name: 'New ticket' }).click();
  expect(await seriousAxeFindings(portal, '.main')).toEqual([]);
  await gotoReady(portal, '/notifications');
  expect(await seriousAxeFindings(portal, '.main')).toEqual([]);

  await agentContext.close();
  await clientContext.close();
});

test('chat history pages backwards when scrolled to the top, keeping the view in place', async ({ page, api }) => {
  const board = await api.createProject(`History ${Date.now().toString(36)}`);
  const column = (await api.board(board.id))[0]!;
  const ticket = await api.createTicket(board.id, column.id, 'A long conversation');
  const room = (await api.call<RoomPage>('GET', `/chat/rooms/?ticket=${ticket.id}`)).results[0]!;
  for (let i = 1; i <= 70; i += 1) {
    await api.call('POST', `/chat/rooms/${room.id}/messages/`, { body: `Line ${i}`, client_id: `seed-${i}` }, 201);
  }

  await gotoReady(page, `/chat?room=${room.id}`);
  const chat = page.getByTestId('chat-room');
  await expect(chat).toHaveAttribute('data-ready', 'true');
  const messages = chat.getByTestId('chat-message');
  // The newest page, scrolled to the end.
  await expect(messages).toHaveCount(50);
  await expect(messages.first()).toContainText('Line 21');
  await expect(messages.last()).toBeInViewport();

  // Scrolled to the top: the older page comes in above, and "Line 21" stays where it was.
  const list = chat.getByRole('list', { name: 'Messages' });
  await list.evaluate((el) => (el.scrollTop = 0));
  await expect(messages).toHaveCount(70);
  await expect(messages.first()).toContainText('Line 1');
  await expect(chat.getByText('Load older messages')).toHaveCount(0);
  await expect(messages.filter({ hasText: /Line 21\b/ })).toBeInViewport();
  await expect(messages.filter({ hasText: /Line 1\b/ })).not.toBeInViewport();
});
