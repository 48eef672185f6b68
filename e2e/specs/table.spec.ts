import { readFile } from 'node:fs/promises';
import { expect, gotoReady, test, type LanewayApi, type Project } from '../src/fixtures.ts';

/** A project with 55 tickets (more than one page of 50), three of them tagged, two with "needle". */
async function seedTable(api: LanewayApi): Promise<{ project: Project; tag: { id: number; name: string } }> {
  const project = await api.createProject(`Table ${test.info().title}`.slice(0, 200));
  const tag = await api.call<{ id: number; name: string }>(
    'POST',
    '/tags/',
    { project: project.id, name: 'customer', colour: '#0ea5e9' },
    201,
  );
  const titles = Array.from({ length: 55 }, (_, i) => `Row ${String(i + 1).padStart(2, '0')}`);
  titles[9] = 'Row 10 needle in the stack';
  titles[19] = 'Row 20, "quoted" needle';
  // One at a time, so numbers follow the titles.
  for (const [i, title] of titles.entries()) {
    const tagged = i === 9 || i === 29 || i === 19;
    await api.call('POST', '/tickets/', { project: project.id, title, tags: tagged ? [tag.id] : [] }, 201);
  }
  return { project, tag };
}

const rows = (page: import('@playwright/test').Page) => page.getByTestId('ticket-row');

test('the table sorts, filters, pages and exports what matches', async ({ page, api }) => {
  const { project, tag } = await seedTable(api);
  await gotoReady(page, `/projects/${project.id}/table`);
  await expect(page.getByTestId('table-range')).toHaveText('1–50 of 55');
  await expect(rows(page)).toHaveCount(50);

  // Sort by key, both ways.
  const key = page.getByRole('columnheader', { name: 'Key' });
  await key.getByRole('button').click();
  await expect(key).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/[?&]sort=number(&|$)/);
  await expect(rows(page).first().locator('td').first()).toHaveText(`${project.key}-1`);
  await key.getByRole('button').click();
  await expect(key).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/[?&]sort=-number(&|$)/);
  await expect(rows(page).first().locator('td').first()).toHaveText(`${project.key}-55`);
  await expect(page.getByRole('columnheader', { name: 'Created' })).toHaveAttribute('aria-sort', 'none');

  // Pagination keeps the sort.
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  await expect(page.getByTestId('table-range')).toHaveText('51–55 of 55');
  await expect(rows(page)).toHaveCount(5);
  await expect(rows(page).last().locator('td').first()).toHaveText(`${project.key}-1`);
  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(page.getByTestId('table-range')).toHaveText('1–50 of 55');

  // Filter by tag: in the URL, and kept by a reload.
  await page.getByRole('combobox', { name: 'Tag' }).selectOption(String(tag.id));
  await expect(page).toHaveURL(new RegExp(`[?&]tag=${tag.id}(&|$)`));
  await expect(rows(page)).toHaveCount(3);
  await page.reload();
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByRole('combobox', { name: 'Tag' })).toHaveValue(String(tag.id));
  await expect(rows(page).locator('td.title')).toHaveText([
    'Row 30',
    'Row 20, "quoted" needle',
    'Row 10 needle in the stack',
  ]);

  // CSV export: every ticket matching the filter, quoted properly.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${project.key}-tickets.csv`);
  const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe('Key,Title,Column,Status,Priority,Assignees,Tags,Company,Due,Created,Updated');
  expect(lines).toHaveLength(4);
  expect(lines[1]).toContain(`${project.key}-30,Row 30,To Do,todo,Medium,,customer,`);
  expect(lines[2]).toContain(`${project.key}-20,"Row 20, ""quoted"" needle",To Do`);

  // Filter by text as well, then the text alone; both kept by a reload.
  await page.getByRole('searchbox', { name: 'Text' }).fill('needle');
  await expect(page).toHaveURL(/[?&]q=needle(&|$)/);
  await expect(rows(page)).toHaveCount(2);
  await page.getByRole('combobox', { name: 'Tag' }).selectOption('');
  await expect(page).not.toHaveURL(/[?&]tag=/);
  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Text' })).toHaveValue('needle');
  await expect(rows(page)).toHaveCount(2);

  // A row opens its ticket.
  await expect(rows(page).first().getByRole('link')).toHaveAttribute('href', /^\/tickets\/\d+$/);
});

test('a long export reads every page', async ({ page, api }) => {
  const { project } = await seedTable(api);
  await gotoReady(page, `/projects/${project.id}/table?sort=number`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await readFile((await (await downloading).path())!, 'utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines).toHaveLength(56);
  expect(lines[1]).toMatch(new RegExp(`^${project.key}-1,Row 01,`));
  expect(lines[55]).toMatch(new RegExp(`^${project.key}-55,Row 55,`));
});

test('the table re-reads itself when the project changes, without a reload', async ({ page, api }) => {
  const project = await api.createProject('Table live');
  await api.call('POST', '/tickets/', { project: project.id, title: 'Already there' }, 201);
  await gotoReady(page, `/projects/${project.id}/table`);
  await expect(rows(page)).toHaveCount(1);
  // The page's live connection is open (and its subscription sent) before the change is made.
  await expect(page.getByTestId('table-view')).toHaveAttribute('data-live', 'true');
  await page.waitForTimeout(300);

  await api.call('POST', '/tickets/', { project: project.id, title: 'Made elsewhere' }, 201);
  await expect(rows(page).filter({ hasText: 'Made elsewhere' })).toBeVisible({ timeout: 3_000 });
  await expect(rows(page)).toHaveCount(2);
});
