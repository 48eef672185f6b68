import {
  ADMIN,
  boardColumn,
  cardTitles,
  expect,
  gotoReady,
  openBoard,
  signedInContext,
  test,
} from '../src/fixtures.ts';

/** Decision 0054: the superuser adds a file's cards to a project someone is watching. */
test('the superuser imports a CSV into an open board, which shows the new cards without a reload', async ({
  page,
  browser,
  baseURL,
  api,
}) => {
  // "AAA": first on the projects page, whatever other specs created.
  const project = await api.createProject(`AAA import target ${Date.now()}`);
  const columns = await api.board(project.id);
  await api.createTicket(project.id, columns.find((c) => c.name === 'To Do')!.id, 'Already here');
  const other = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
  const watcher = await other.newPage();
  await openBoard(watcher, project.id);

  await gotoReady(page, '/');
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByLabel('Into').selectOption({ label: `${project.key} · ${project.name}` });
  await page.getByLabel('From').selectOption('csv');
  await page.getByLabel('File').setInputFiles({
    name: 'more.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('title,column\nImported one,to do\nImported two,Blocked\n'),
  });
  await page.getByRole('button', { name: 'Next' }).click();
  const panel = page.getByRole('region', { name: 'Import a project' });
  // The preview's step is up (its first rows), and into an existing project there is nothing to name.
  await expect(panel.getByRole('table', { name: 'First rows' })).toBeVisible();
  await expect(page.getByLabel('Project name')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByRole('status')).toHaveText('Done.', { timeout: 20_000 });

  // The watcher never reloaded: "to do" is its To Do, "Blocked" a new column at the end.
  await expect(boardColumn(watcher, 'Blocked').getByText('Imported two')).toBeVisible();
  expect(await cardTitles(watcher, 'To Do')).toEqual(['Already here', 'Imported one']);
  const after = await api.board(project.id);
  expect(after.map((c) => c.name)).toEqual([...columns.map((c) => c.name), 'Blocked']);
  await other.close();
});
