/** Canned responses (SPEC §13): `/` in the comment editor and in the chat inserts one, filled in. */
import { ADMIN, expect, gotoReady, test } from '../src/fixtures.ts';

test('a canned response is inserted from the comment editor and the chat with its placeholders filled', async ({
  page,
  api,
}) => {
  const project = await api.createProject(`Canned ${Date.now().toString(36)}`);
  const contact = await api.call<{ id: number }>('POST', '/contacts/', { name: 'Ada Lovelace', email: '' }, 201);
  const ticket = await api.call<{ id: number; key: string }>(
    'POST',
    '/tickets/',
    { project: project.id, title: 'Printer on fire', contact: contact.id },
    201,
  );
  await api.call(
    'POST',
    `/projects/${project.id}/replies/`,
    { name: 'Fixed', body: 'Hello {{contact.name}}, {{ticket.key}} ({{ticket.title}}) is fixed. {{agent.name}}' },
    201,
  );
  await api.call('POST', `/projects/${project.id}/replies/`, { name: 'Later', body: 'Back soon.' }, 201);
  const filled = `Hello Ada Lovelace, ${ticket.key} (Printer on fire) is fixed. ${ADMIN.name}`;

  await gotoReady(page, `/tickets/${ticket.id}`);
  const comment = page.getByLabel('New comment');
  await comment.fill('/fix');
  const menu = page.getByRole('list', { name: 'Canned responses' });
  await expect(menu.getByRole('button')).toHaveText(['Fixed']);
  await menu.getByRole('button', { name: 'Fixed' }).click();
  await expect(comment).toHaveValue(filled);
  await expect(menu).toBeHidden();
  await page.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(page.getByTestId('comment').filter({ hasText: 'is fixed' })).toBeVisible();

  await page.getByRole('tab', { name: 'Chat' }).click();
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('/');
  await expect(menu.getByRole('button')).toHaveText(['Fixed', 'Later']);
  await menu.getByRole('button', { name: 'Fixed' }).click();
  await expect(message).toHaveValue(filled);
});
