import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { expect, gotoReady, test } from '../src/fixtures.ts';

const CSV = fileURLToPath(new URL('../../test/fixtures/imports/tickets-excel.csv', import.meta.url));

test('import a CSV through the mapping step, open the new board, and export it from its settings', async ({ page }) => {
  await gotoReady(page, '/');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByLabel('From').selectOption('csv');
  await page.getByLabel('File').setInputFiles(CSV);
  await page.getByRole('button', { name: 'Next' }).click();

  // The mapping step: the headers guessed per field, the first rows as the file has them.
  await expect(page.getByRole('table', { name: 'First rows' })).toContainText('Printer jams');
  await expect(page.getByLabel('Title column')).toHaveValue('Summary');
  await expect(page.getByLabel('Due date column')).toHaveValue('Due');
  await page.getByLabel('Project name').fill('Spreadsheet import');
  await page.getByRole('button', { name: 'Import', exact: true }).last().click();

  const panel = page.getByRole('region', { name: 'Import a project' });
  await expect(panel.getByRole('status')).toHaveText('Done.', { timeout: 20_000 });
  await expect(panel.getByText('not carried over')).toBeVisible();
  await page.getByRole('link', { name: 'Open the project' }).click();
  await expect(page.getByTestId('card').filter({ hasText: 'Printer jams' })).toBeVisible();
  await expect(page.getByTestId('card').filter({ hasText: 'Quarterly report; draft' })).toBeVisible();

  const projectId = /\/projects\/(\d+)/.exec(page.url())![1]!;
  await gotoReady(page, `/projects/${projectId}/settings`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export project' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.laneway\.tar\.gz$/);
  const tar = gunzipSync(await readFile((await file.path())!));
  expect(tar.subarray(0, 12).toString('utf8')).toBe('project.json');
  expect(tar.toString('utf8')).toMatch(/"title" ?: ?"Printer jams"/);
});
