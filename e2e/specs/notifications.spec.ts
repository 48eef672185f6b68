import { expect, gotoReady, LanewayApi, signedInContext, test } from '../src/fixtures.ts';

/** A user's notification badge follows what happens to them, live, in every open tab. */
test('an assignment shows on the badge without reload; mark all read clears it in every tab', async ({
  browser,
  baseURL,
  api,
}) => {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const password = 'member password 1';
  const project = await api.createProject(`Notify ${suffix}`);
  const alice = await api.createMember(project.id, `alice${suffix}`, 'user', password);
  await api.createMember(project.id, `bob${suffix}`, 'admin', password);
  const column = (await api.board(project.id))[0]!;
  const ticket = await api.createTicket(project.id, column.id, 'Replace the router');

  // Alice has the app open in two tabs: her projects, and her notifications.
  const context = await signedInContext(browser, baseURL!, `alice${suffix}`, password);
  const home = await context.newPage();
  const inbox = await context.newPage();
  await gotoReady(home, '/');
  await gotoReady(inbox, '/notifications');
  const badge = (page: typeof home) => page.getByTestId('notification-badge');
  await expect(inbox.getByText('Nothing yet.')).toBeVisible();
  await expect(badge(home)).toHaveCount(0);
  await expect(badge(inbox)).toHaveCount(0);

  // Bob assigns her, through the API.
  const bob = await LanewayApi.signIn(baseURL!, `bob${suffix}`, password);
  await bob.call('PATCH', `/tickets/${ticket.id}/`, { assignees: [alice.id] });
  await bob.dispose();

  // 0 → 1 in both tabs, no reload.
  await expect(badge(home)).toHaveText('1', { timeout: 2_000 });
  await expect(badge(inbox)).toHaveText('1', { timeout: 2_000 });

  // The notifications page lists it: who, what, which ticket (a link to it).
  const item = inbox.getByTestId('notification');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText(`bob${suffix}`);
  await expect(item).toContainText('assigned you to');
  await expect(item.getByRole('link', { name: new RegExp(`${ticket.key} Replace the router`) })).toHaveAttribute(
    'href',
    `/tickets/${ticket.id}`,
  );
  await expect(item).toHaveClass(/\bunread\b/);

  // Mark all read: the badge goes in this tab and in the other.
  await inbox.getByRole('button', { name: 'Mark all read' }).click();
  await expect(badge(inbox)).toHaveCount(0);
  await expect(item).not.toHaveClass(/\bunread\b/);
  await expect(badge(home)).toHaveCount(0, { timeout: 2_000 });
  const asAlice = await LanewayApi.signIn(baseURL!, `alice${suffix}`, password);
  expect((await asAlice.call<{ count: number }>('GET', '/notifications/?unread=true')).count).toBe(0);
  await asAlice.dispose();

  // Another one after that counts from zero again, and a single one can be marked read.
  const second = await api.createTicket(project.id, column.id, 'Order toner');
  await api.call('PATCH', `/tickets/${second.id}/`, { assignees: [alice.id] });
  await expect(badge(home)).toHaveText('1', { timeout: 2_000 });
  await inbox
    .getByTestId('notification')
    .filter({ hasText: 'Order toner' })
    .getByRole('button', { name: 'Mark read' })
    .click();
  await expect(badge(home)).toHaveCount(0, { timeout: 2_000 });
  await context.close();
});
