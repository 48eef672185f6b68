/**
 * Fixtures: every spec signs in and seeds through the API (STYLE 11). The instance superuser
 * is created by the first-run spec through the UI; the others sign in as it.
 */
import AxeBuilder from '@axe-core/playwright';
import {
  test as base,
  expect,
  request as requests,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';

export { expect };

/** The first user, created by first-run.spec.ts. */
export const ADMIN = {
  username: 'admin',
  email: 'admin@laneway.test',
  name: 'Ada Admin',
  password: 'correct horse battery',
} as const;

const API = '/api/tickets';

export interface Ticket {
  id: number;
  key: string;
  title: string;
  column: number;
  position: string;
  version: number;
}
export interface Column {
  id: number;
  name: string;
  wip_limit: number | null;
  tickets: Ticket[];
}
export interface Project {
  id: number;
  key: string;
  name: string;
}

/**
 * A client of the REST API signed in with a Bearer token, on a request context of its own: a
 * shared one would keep the login's session cookie, and cookie requests must carry an Origin.
 */
export class LanewayApi {
  readonly request: APIRequestContext;
  readonly access: string;
  constructor(request: APIRequestContext, access: string) {
    this.request = request;
    this.access = access;
  }

  static async signIn(baseURL: string, username: string, password: string): Promise<LanewayApi> {
    const request = await requests.newContext({ baseURL });
    const response = await request.post(`${API}/auth/login/`, { data: { username, password } });
    expect(response.status(), await response.text()).toBe(200);
    const { access } = await response.json();
    await request.dispose();
    return new LanewayApi(await requests.newContext({ baseURL }), access);
  }

  dispose(): Promise<void> {
    return this.request.dispose();
  }

  async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, data?: unknown, status = 200): Promise<T> {
    const response = await this.request.fetch(`${API}${path}`, {
      method,
      data,
      headers: { authorization: `Bearer ${this.access}` },
    });
    expect(response.status(), `${method} ${path}: ${await response.text()}`).toBe(status);
    return (response.status() === 204 ? undefined : await response.json()) as T;
  }

  /** A project with a unique key; the caller becomes its superadmin. */
  async createProject(name: string): Promise<Project> {
    const key = `P${Date.now().toString(36).toUpperCase().slice(-6)}${Math.floor(Math.random() * 90 + 10)}`;
    return this.call<Project>('POST', '/projects/', { name, key }, 201);
  }

  async board(projectId: number): Promise<Column[]> {
    return (await this.call<{ columns: Column[] }>('GET', `/projects/${projectId}/board/`)).columns;
  }

  async createTicket(projectId: number, column: number, title: string): Promise<Ticket> {
    return this.call<Ticket>('POST', '/tickets/', { project: projectId, column, title }, 201);
  }

  async moveTicket(id: number, body: { column: number; after?: number; before?: number }): Promise<Ticket> {
    return this.call<Ticket>('POST', `/tickets/${id}/move/`, body);
  }

  /** A new active user (superuser only), added to a project with `role`. */
  async createMember(projectId: number, username: string, role: string, password: string): Promise<{ id: number }> {
    const user = await this.call<{ id: number }>(
      'POST',
      '/users/',
      { username, email: `${username}@laneway.test`, password, name: username },
      201,
    );
    await this.call('POST', `/projects/${projectId}/members/`, { user_id: user.id, role }, 201);
    return user;
  }
}

/** A browser context signed in as `username` (the session cookie holds an access token). */
export async function signedInContext(
  browser: Browser,
  baseURL: string,
  username: string,
  password: string,
): Promise<BrowserContext> {
  const api = await LanewayApi.signIn(baseURL, username, password);
  await api.dispose();
  const context = await browser.newContext({ baseURL });
  await context.addCookies([{ name: 'session', value: api.access, url: baseURL, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

/** A project seeded with cards, as the board shows it. */
export interface SeededBoard {
  project: Project;
  columns: Column[];
  /** Column by name: To Do, In Progress, Review, Done. */
  column(name: string): Column;
}

export const test = base.extend<{ api: LanewayApi; page: Page; seedBoard: (cards: string[]) => Promise<SeededBoard> }>({
  api: async ({ baseURL }, use) => {
    const api = await LanewayApi.signIn(baseURL!, ADMIN.username, ADMIN.password);
    await use(api);
    await api.dispose();
  },
  // The default page, signed in as the superuser.
  page: async ({ browser, baseURL }, use) => {
    const context = await signedInContext(browser, baseURL!, ADMIN.username, ADMIN.password);
    const page = await context.newPage();
    await use(page);
    await context.close();
  },
  seedBoard: async ({ api }, use) => {
    await use(async (cards) => {
      const project = await api.createProject(`Board ${test.info().title}`.slice(0, 200));
      let columns = await api.board(project.id);
      for (const title of cards) await api.createTicket(project.id, columns[0]!.id, title);
      columns = await api.board(project.id);
      return {
        project,
        columns,
        column: (name) => {
          const found = columns.find((c) => c.name === name);
          if (!found) throw new Error(`No column ${name}`);
          return found;
        },
      };
    });
  },
});

/** The column section of the board with this name. */
export function boardColumn(page: Page, name: string) {
  return page.getByTestId('column').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

/** The titles of the cards in a column, top to bottom. */
export async function cardTitles(page: Page, name: string): Promise<string[]> {
  return boardColumn(page, name).locator('[data-testid="card"] .title').allInnerTexts();
}

/** Opens a page and waits until it is interactive (hydrated): a click before that is lost. */
export async function gotoReady(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

/** Opens a project's board and waits until its live connection is open. */
export async function openBoard(page: Page, projectId: number): Promise<void> {
  await page.goto(`/projects/${projectId}`);
  await expect(page.getByTestId('board')).toHaveAttribute('data-live', 'true');
}

/** A card on the board by its title. */
export function card(page: Page, title: string) {
  return page.getByTestId('card').filter({ hasText: title });
}

/**
 * Drags a card with the mouse onto `target` (a card, to take its place, or a column's card
 * list), in small steps as a person would, so the drag library sees a real pointer drag.
 */
export async function dragWithMouse(page: Page, title: string, target: ReturnType<Page['locator']>): Promise<void> {
  const from = await card(page, title).boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('card or target not visible');
  const start = { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 8, start.y + 8, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(to.height / 2, 40), { steps: 15 });
  await page.waitForTimeout(100);
  await page.mouse.up();
}

/** The card list (drop zone) of a column. */
export function columnCards(page: Page, name: string) {
  return boardColumn(page, name).locator('ol');
}

/**
 * Serious and critical findings of an axe scan (WCAG 2.0/2.1 A and AA rules) of the page, or
 * of the part matching `within`: one line per rule, naming the elements it flagged.
 */
export async function seriousAxeFindings(page: Page, within?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (within) builder = builder.include(within);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The end-to-end database (the one playwright.config.ts made), for the few tests that must reach past the API. */
export function e2eDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${process.env.E2E_DATABASE}`;
  return url.href;
}
