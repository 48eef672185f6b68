import type { Page } from '@playwright/test';
import { expect, gotoReady, LanewayApi, signedInContext, test, type Ticket } from '../src/fixtures.ts';

/** The ticket as the API has it now. */
interface FullTicket extends Ticket {
  description: string;
}

/** Opens /tickets/{id} as a page and waits until it follows the project live. */
async function openTicketPage(page: Page, id: number): Promise<void> {
  await gotoReady(page, `/tickets/${id}`);
  await expect(page.locator('main.page')).toHaveAttribute('data-live', 'true');
}

const PASSWORD = 'markdown links password';

test('ticket keys link only where the reader may see the ticket; a task box ticks its source line', async ({
  browser,
  baseURL,
  api,
  seedBoard,
}) => {
  // Two projects: the reader is an admin of the first only, so the second's ticket is hidden.
  const board = await seedBoard(['Replace the printer', 'Order toner']);
  const [main, visible] = board.column('To Do').tickets;
  const secret = await api.createProject('Markdown links: payroll');
  const [secretColumn] = await api.board(secret.id);
  const hidden = await api.createTicket(secret.id, secretColumn!.id, 'Salaries for 2027');
  const username = `reader${Date.now().toString(36)}`;
  await api.createMember(board.project.id, username, 'admin', PASSWORD);
  await api.call('PATCH', `/tickets/${main!.id}/`, {
    description: `Needs ${visible!.key} first; compare ${hidden.key} and NOPE-424242.\r\n\r\n- [ ] order parts\r\n- [ ] call the client\r\n\r\n\`${visible!.key}\` in code stays code.`,
    version: main!.version,
  });

  const context = await signedInContext(browser, baseURL!, username, PASSWORD);
  const page = await context.newPage();
  await openTicketPage(page, main!.id);
  const description = page.getByTestId('description');

  // The visible key links to its ticket, with its title; the hidden key and the unknown one stay text.
  const link = description.getByRole('link', { name: visible!.key });
  await expect(link).toHaveAttribute('href', `/tickets/${visible!.id}`);
  await expect(link).toHaveAttribute('title', 'Order toner');
  await expect(description).toContainText(hidden.key);
  await expect(description.getByRole('link')).toHaveCount(1);
  await expect(description.locator('[title*="Salaries"]')).toHaveCount(0);
  await expect(description.locator('code')).toHaveText(visible!.key);

  // Ticking a task saves the description with that one line changed, and stays after a reload.
  const box = description.getByRole('checkbox', { name: 'call the client' });
  await expect(box).toBeEnabled();
  await box.check();
  await expect(box).toBeChecked();
  await expect
    .poll(async () => (await api.call<FullTicket>('GET', `/tickets/${main!.id}/`)).description)
    .toContain('- [ ] order parts\r\n- [x] call the client\r\n');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(description.getByRole('checkbox', { name: 'call the client' })).toBeChecked();
  await expect(description.getByRole('checkbox', { name: 'order parts' })).not.toBeChecked();

  // A link opens the ticket it names.
  await description.getByRole('link', { name: visible!.key }).click();
  await expect(page).toHaveURL(new RegExp(`/tickets/${visible!.id}$`));
  await context.close();

  // A manager (read-only) sees the boxes but cannot tick them, and resolves the same keys alike.
  const manager = `manager${Date.now().toString(36)}`;
  await api.createMember(board.project.id, manager, 'manager', PASSWORD);
  const managerContext = await signedInContext(browser, baseURL!, manager, PASSWORD);
  const managerPage = await managerContext.newPage();
  await openTicketPage(managerPage, main!.id);
  await expect(managerPage.getByTestId('description').getByRole('checkbox', { name: 'order parts' })).toBeDisabled();
  await managerContext.close();
  const check = await LanewayApi.signIn(baseURL!, manager, PASSWORD);
  expect(await check.call('GET', `/tickets/resolve/?keys=${hidden.key},${visible!.key}`)).toEqual([
    { key: visible!.key, id: visible!.id, title: 'Order toner' },
  ]);
  await check.dispose();
});
