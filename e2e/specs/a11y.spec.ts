import { ADMIN, expect, seriousAxeFindings, signedInContext, test } from '../src/fixtures.ts';

/**
 * An axe scan of the main pages, in the light and the dark theme: no serious or critical
 * finding. A failure lists each rule and the elements it flagged.
 */
for (const theme of ['light', 'dark'] as const) {
  test(`the main pages have no serious or critical axe findings (${theme} theme)`, async ({
    browser,
    baseURL,
    api,
    seedBoard,
  }) => {
    test.setTimeout(90_000);
    const seeded = await seedBoard(['Printer on fire', 'Badge reader offline', 'Order toner']);
    const ticket = seeded.column('To Do').tickets[0]!;
    const context = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
    await context.addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
    const page = await context.newPage();

    const pages = [
      '/',
      `/projects/${seeded.project.id}`,
      `/projects/${seeded.project.id}/table`,
      `/projects/${seeded.project.id}/settings`,
      `/projects/${seeded.project.id}/reports`,
      `/tickets/${ticket.id}`,
      '/notifications',
      '/chat',
      '/admin',
      '/admin/audit',
      '/account',
    ];
    const findings: Record<string, string[]> = {};
    for (const path of pages) {
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      // Let data-driven content (lists, charts) settle before scanning.
      await page.waitForLoadState('networkidle');
      const found = await seriousAxeFindings(page);
      if (found.length) findings[path] = found;
    }

    // The search palette with results, and the shortcut list, over the board.
    await page.goto(`/projects/${seeded.project.id}`);
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette').getByRole('combobox').fill('printer');
    await expect(page.getByTestId('search-result').first()).toBeVisible();
    const paletteFound = await seriousAxeFindings(page);
    if (paletteFound.length) findings['search palette'] = paletteFound;
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts-dialog')).toBeVisible();
    const shortcutsFound = await seriousAxeFindings(page);
    if (shortcutsFound.length) findings['shortcuts dialog'] = shortcutsFound;

    // The sign-in page, signed out.
    const anonymous = await browser.newContext({ baseURL });
    await anonymous.addCookies([{ name: 'theme', value: theme, url: baseURL! }]);
    const login = await anonymous.newPage();
    await login.goto('/login');
    await expect(login.locator('html')).toHaveAttribute('data-hydrated', 'true');
    const loginFound = await seriousAxeFindings(login);
    if (loginFound.length) findings['/login'] = loginFound;

    expect(findings).toEqual({});
    await anonymous.close();
    await context.close();
    await api.dispose();
  });
}
