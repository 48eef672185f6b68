/**
 * `npm run db:seed`: a demo instance to click through (and the benchmark's data set).
 *
 * Applies the migrations, then, unless a project with key DEMO exists already, creates in one
 * transaction: a user of every role (password `laneway-demo`), two client companies with their
 * people and contacts, the `Demo Board` project with its members, the default columns, tags and
 * 1,000 tickets spread over the columns and the last 60 days. The data is generated from a
 * fixed pseudo-random seed, so every run produces the same board.
 *
 * It never touches what it did not create (issue 13 row 3): an instance with any user, company
 * or project is refused unless `--force`; every record it makes is named as the demo's
 * (usernames `demo-…` at demo.laneway.example, companies "… (demo)" with slugs `demo-…`), and a
 * name already taken is a refusal, never a reuse. Forced into a used instance it creates no
 * superuser, since a known password there would open the whole instance.
 *
 * Usage: `npm run db:seed [-- --tickets 5000] [-- --force]`. The database is the server's:
 * DATABASE_URL, the DB_* variables, or the embedded PostgreSQL in DATA_DIR.
 */
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { asc, eq, sql } from 'drizzle-orm';
import { generateNKeysBetween } from 'fractional-indexing';
import { createDb, type Executor } from './client.ts';
import { migrateDatabase } from './migrate.ts';
import {
  columns,
  companies,
  companyAdmins,
  companyUsers,
  contacts,
  projectCompanies,
  projects,
  tags,
  ticketAssignees,
  tickets,
  ticketTags,
  userRoles,
  users,
} from './schema/index.ts';
import { DEFAULT_COLUMNS } from './defaults.ts';
import { openDatabase } from './url.ts';

export const DEMO_PASSWORD = 'laneway-demo';
export const DEMO_PROJECT_KEY = 'DEMO';

/** argon2id per OWASP, the same parameters as server/src/auth/passwords.ts. */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CHUNK = 500;
const DAY_MS = 86_400_000;

export interface SeedOptions {
  /** How many tickets the demo project gets (default 1,000). */
  tickets?: number;
  /** Apply the migrations first (default true). */
  migrate?: boolean;
  /**
   * The demo project's archive threshold in hours. Default 90 days, so the archiving job does not
   * empty the Done column of a freshly seeded demo; null falls back to TICKET_ARCHIVE_AFTER_HOURS.
   */
  archiveAfterHours?: number | null;
  /** Seed of the pseudo-random generator (default 42): same seed, same board. */
  randomSeed?: number;
  /** Progress and summary lines (default console.log); pass `() => {}` for silence. */
  log?: (line: string) => void;
  /** Seed beside existing users, companies or projects (`--force`); by default that is refused. */
  force?: boolean;
}

/** Seeding would touch an instance in use, or a name the demo needs is taken: nothing was written. */
export class SeedRefusedError extends Error {
  override name = 'SeedRefusedError';
}

export interface SeedResult {
  /** False when a DEMO project existed already and nothing was written. */
  created: boolean;
  projectId: number;
  /** Column ids in board order. */
  columnIds: number[];
  ticketIds: number[];
  /** Demo user ids by their role key (`superadmin`, `agent`, …; the username is `demo-` + key). */
  users: Record<string, number>;
  password: string;
}

type Role = 'superadmin' | 'admin' | 'manager' | 'user';

interface DemoUser {
  /** The username without the demo's prefix (see {@link demoUsername}). */
  username: string;
  name: string;
  describe: string;
  superuser?: boolean;
  projectRole?: Role;
  company?: { slug: string; as: 'admin' | 'user' };
}

const DEMO_USERS: DemoUser[] = [
  {
    username: 'admin',
    name: 'Ada Lindqvist',
    describe: 'instance superuser (manages users and companies)',
    superuser: true,
  },
  {
    username: 'superadmin',
    name: 'Sam Okafor',
    describe: 'project superadmin of Demo Board',
    projectRole: 'superadmin',
  },
  { username: 'agent-admin', name: 'Priya Raman', describe: 'project admin (agents lead)', projectRole: 'admin' },
  {
    username: 'manager',
    name: 'Morgan Becker',
    describe: 'project manager (read-only board, reports)',
    projectRole: 'manager',
  },
  { username: 'agent', name: 'Alex Moreau', describe: 'project user (agent: edits own tickets)', projectRole: 'user' },
  {
    username: 'acme-admin',
    name: 'Wile Coyote',
    describe: 'company admin of Acme',
    company: { slug: 'acme', as: 'admin' },
  },
  {
    username: 'acme-user',
    name: 'Road Runner',
    describe: 'company user of Acme',
    company: { slug: 'acme', as: 'user' },
  },
  {
    username: 'globex-admin',
    name: 'Hank Scorpio',
    describe: 'company admin of Globex',
    company: { slug: 'globex', as: 'admin' },
  },
  {
    username: 'globex-user',
    name: 'Homer Simpson',
    describe: 'company user of Globex',
    company: { slug: 'globex', as: 'user' },
  },
];

const AVATAR_COLOURS = [
  '#ef4444',
  '#f97316',
  '#eab308',
  '#22c55e',
  '#14b8a6',
  '#3b82f6',
  '#8b5cf6',
  '#ec4899',
  '#64748b',
];

/** The demo's mark on every user it creates: no real account is named like this. */
const DEMO_PREFIX = 'demo-';
const demoUsername = (key: string) => `${DEMO_PREFIX}${key}`;
const demoEmail = (key: string) => `${DEMO_PREFIX}${key}@demo.laneway.example`;

/** `slug` keys the demo's own references below; the stored slug and name carry the demo's mark. */
const COMPANIES = [
  { name: 'Acme (demo)', slug: 'acme' },
  { name: 'Globex (demo)', slug: 'globex' },
];
const companySlug = (slug: string) => `${DEMO_PREFIX}${slug}`;

const CONTACTS = [
  {
    company: 'acme',
    name: 'Marvin Acme',
    email: 'marvin@acme.example',
    phone: '+1 555 0101',
    notes: 'Owner; prefers phone.',
  },
  {
    company: 'acme',
    name: 'Dolores Haze',
    email: 'dolores@acme.example',
    phone: '+1 555 0102',
    notes: 'Accounts payable.',
  },
  { company: 'acme', name: 'Elmer Fudd', email: 'elmer@acme.example', phone: '', notes: 'Warehouse lead.' },
  {
    company: 'globex',
    name: 'Lisa Schmidt',
    email: 'lisa@globex.example',
    phone: '+49 30 5550 1201',
    notes: 'IT manager.',
  },
  { company: 'globex', name: 'Frank Grimes', email: 'frank@globex.example', phone: '', notes: 'Night shift.' },
  { company: null, name: 'Jordan Freelancer', email: 'jordan@freelance.example', phone: '+44 20 7946 0018', notes: '' },
];

const TAGS = [
  { name: 'Bug', colour: '#ef4444' },
  { name: 'Feature', colour: '#3b82f6' },
  { name: 'Question', colour: '#a855f7' },
  { name: 'Billing', colour: '#f59e0b' },
  { name: 'Security', colour: '#0f766e' },
];

const SUBJECTS = [
  'Login page',
  'Password reset email',
  'Invoice PDF',
  'CSV export',
  'Dashboard',
  'Search',
  'Mobile app',
  'Notification settings',
  'Billing portal',
  'API rate limit',
  'Webhook delivery',
  'User import',
  'Report filters',
  'SSO sign-in',
  'File upload',
  'Calendar sync',
  'Audit log',
  'Onboarding checklist',
  'Time zone display',
  'Shipping labels',
];
const PROBLEMS = [
  'times out',
  'shows wrong totals',
  'fails for large files',
  'is slow after the last release',
  'returns a 500 error',
  'ignores the selected language',
  'sends duplicates',
  'breaks on Safari',
  'loses unsaved changes',
  'shows yesterday’s data',
];
const FEATURES = [
  'bulk editing',
  'a dark theme',
  'keyboard shortcuts',
  'two-factor login',
  'a weekly summary',
  'saved filters',
];
const DESCRIPTIONS = [
  'Reported by the customer by phone.\n\n**Steps to reproduce**\n1. Sign in\n2. Open the page\n3. Wait a few seconds',
  'Seen by several users since Monday. Screenshots in the chat room.',
  'Low urgency, but it keeps coming back. Please check the logs around the time of the report.',
  'Customer asked for an update on this; reply in the ticket room when there is news.',
  '',
  '',
];

/** mulberry32: a tiny deterministic PRNG, so the demo board is the same on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

/** "Invoice PDF" -> "invoice PDF", but "SSO sign-in" stays. */
const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type TicketRow = typeof tickets.$inferInsert;

interface PlannedTicket {
  row: TicketRow;
  assignees: number[];
  tagIds: number[];
}

/** Generates the tickets (not yet inserted): numbers in creation order, positions per column. */
function planTickets(
  count: number,
  rng: ReturnType<typeof random>,
  ctx: {
    projectId: number;
    columnIds: number[];
    tagIds: number[];
    staff: number[];
    reporters: number[];
    companies: { id: number; people: number[]; contacts: number[] }[];
  },
): PlannedTicket[] {
  const now = Date.now();
  const start = now - 60 * DAY_MS;
  const created = Array.from({ length: count }, () => start + rng.next() * (now - start - 60_000)).sort(
    (a, b) => a - b,
  );
  const byColumn: number[][] = ctx.columnIds.map(() => []);
  const planned: PlannedTicket[] = created.map((createdMs, i) => {
    const age = (createdMs - start) / (now - start); // 0 = oldest, 1 = newest
    // Older tickets are more likely finished; open ones spread over the other three columns.
    const roll = rng.next();
    const col = roll < 0.7 * (1 - age) + 0.1 ? 3 : rng.next() < 0.5 ? 0 : rng.next() < 0.6 ? 1 : 2;
    byColumn[col]!.push(i);
    const category = DEFAULT_COLUMNS[col]!.category;
    const company = rng.next() < 0.55 ? (rng.next() < 0.6 ? ctx.companies[0]! : ctx.companies[1]!) : null;
    const contactId = company && company.contacts.length && rng.next() < 0.6 ? rng.pick(company.contacts) : null;
    const reporterId = company && rng.next() < 0.5 ? rng.pick(company.people) : rng.pick(ctx.reporters);
    const p = rng.next();
    const priorityId = p < 0.25 ? 1 : p < 0.7 ? 2 : p < 0.92 ? 3 : 4;
    const subject = rng.pick(SUBJECTS);
    const kind = rng.next();
    const title =
      kind < 0.55
        ? `${subject} ${rng.pick(PROBLEMS)}`
        : kind < 0.75
          ? `Add ${rng.pick(FEATURES)} to ${lowerFirst(subject)}`
          : kind < 0.9
            ? `Question about ${lowerFirst(subject)}`
            : `Improve ${lowerFirst(subject)} performance`;
    const doneMs = category === 'done' ? Math.min(now - 60_000, createdMs + (2 + rng.next() * 166) * 3_600_000) : null;
    const updatedMs = doneMs ?? createdMs + rng.next() * (now - createdMs);
    const assigneeCount = category === 'todo' ? (rng.next() < 0.4 ? 0 : 1) : rng.next() < 0.15 ? 2 : 1;
    const assignees = new Set<number>();
    while (assignees.size < Math.min(assigneeCount, ctx.staff.length)) assignees.add(rng.pick(ctx.staff));
    const tagCount = rng.next() < 0.35 ? 0 : rng.next() < 0.75 ? 1 : 2;
    const tagSet = new Set<number>();
    while (tagSet.size < Math.min(tagCount, ctx.tagIds.length)) tagSet.add(rng.pick(ctx.tagIds));
    const dueAt = rng.next() < 0.3 ? new Date(createdMs + (3 + rng.int(28)) * DAY_MS) : null;
    return {
      row: {
        projectId: ctx.projectId,
        number: i + 1,
        title,
        description: rng.pick(DESCRIPTIONS),
        columnId: ctx.columnIds[col]!,
        position: '',
        priorityId,
        companyId: company?.id ?? null,
        contactId,
        reporterId,
        dueAt,
        status: category,
        doneAt: doneMs === null ? null : new Date(doneMs),
        createdAt: new Date(createdMs),
        updatedAt: new Date(updatedMs),
      },
      assignees: [...assignees].sort((a, b) => a - b),
      tagIds: [...tagSet].sort((a, b) => a - b),
    };
  });
  // Card order: within each column, oldest first, keys spread evenly.
  for (const indexes of byColumn) {
    const keys = generateNKeysBetween(null, null, indexes.length);
    indexes.forEach((index, k) => (planned[index]!.row.position = keys[k]!));
  }
  return planned;
}

async function existingDemo(tx: Executor): Promise<SeedResult | null> {
  const [project] = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(sql`upper(${projects.key}) = ${DEMO_PROJECT_KEY}`);
  if (!project) return null;
  const cols = await tx
    .select({ id: columns.id })
    .from(columns)
    .where(eq(columns.projectId, project.id))
    .orderBy(asc(columns.position));
  const rows = await tx
    .select({ id: tickets.id })
    .from(tickets)
    .where(eq(tickets.projectId, project.id))
    .orderBy(asc(tickets.number));
  const people = await tx
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(
      sql`lower(${users.username}) in (${sql.join(
        DEMO_USERS.map((u) => sql`${demoUsername(u.username)}`),
        sql`, `,
      )})`,
    );
  return {
    created: false,
    projectId: project.id,
    columnIds: cols.map((c) => c.id),
    ticketIds: rows.map((r) => r.id),
    users: Object.fromEntries(people.map((p) => [p.username.toLowerCase().slice(DEMO_PREFIX.length), p.id])),
    password: DEMO_PASSWORD,
  };
}

/** How many users, companies and projects the instance has: any at all means it is in use. */
async function instanceUse(tx: Executor): Promise<string[]> {
  const [row] = await tx.execute<{ users: number; companies: number; projects: number }>(sql`
    select (select count(*)::int from ${users}) as users, (select count(*)::int from ${companies}) as companies,
      (select count(*)::int from ${projects}) as projects`);
  return Object.entries(row ?? {})
    .filter(([, n]) => Number(n) > 0)
    .map(([what, n]) => `${n} ${Number(n) === 1 ? what.slice(0, -1).replace(/ie$/, 'y') : what}`);
}

/** The demo's names that are taken already (by username, email, company slug or name). */
async function takenNames(tx: Executor): Promise<string[]> {
  const people = await tx
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(
      sql`lower(${users.username}) in (${sql.join(
        DEMO_USERS.map((u) => sql`${demoUsername(u.username)}`),
        sql`, `,
      )}) or lower(${users.email}) in (${sql.join(
        DEMO_USERS.map((u) => sql`${demoEmail(u.username)}`),
        sql`, `,
      )})`,
    );
  const firms = await tx
    .select({ name: companies.name, slug: companies.slug })
    .from(companies)
    .where(
      sql`${companies.slug} in (${sql.join(
        COMPANIES.map((c) => sql`${companySlug(c.slug)}`),
        sql`, `,
      )}) or ${companies.name} in (${sql.join(
        COMPANIES.map((c) => sql`${c.name}`),
        sql`, `,
      )})`,
    );
  return [...people.map((p) => `user ${p.username}`), ...firms.map((c) => `company ${c.name}`)];
}

/**
 * Seeds the demo data into the database at `url` (idempotent: an existing DEMO project is left
 * as it is). Refuses (SeedRefusedError, nothing written) an instance in use unless `force`, and
 * a demo name that is taken. Returns the ids the benchmark needs.
 *
 * @example const demo = await seedDemo(url, { tickets: 1000, log: () => {} });
 */
export async function seedDemo(url: string, options: SeedOptions = {}): Promise<SeedResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const ticketCount = options.tickets ?? 1000;
  if (!Number.isInteger(ticketCount) || ticketCount < 0) throw new Error('tickets must be a whole number >= 0');
  const started = performance.now();
  if (options.migrate ?? true) await migrateDatabase(url);
  const { db, sql: client } = createDb(url, { max: 2, applicationName: 'laneway-seed' });
  try {
    const existing = await existingDemo(db);
    if (existing) {
      log(`A project with key ${DEMO_PROJECT_KEY} exists already (id ${existing.projectId}): nothing to seed.`);
      return existing;
    }
    // Hash outside the transaction: argon2 is deliberately slow. One salt per user.
    const hashes = await Promise.all(DEMO_USERS.map(() => hash(DEMO_PASSWORD, ARGON2)));
    const rng = random(options.randomSeed ?? 42);

    const result = await db.transaction(async (tx) => {
      // Serialise concurrent seeds; the unique index on upper(key) would stop a second one too.
      await tx.execute(sql`select pg_advisory_xact_lock(7245031119)`);
      const again = await existingDemo(tx);
      if (again) return { ...again, skipped: [] as string[], summary: [] as string[] };

      const inUse = await instanceUse(tx);
      if (inUse.length && !options.force) {
        throw new SeedRefusedError(
          `This instance is in use (${inUse.join(', ')}): the demo is seeded only into an empty one. ` +
            'Run it with --force to add the demo beside your data; it changes nothing it did not create.',
        );
      }
      const taken = await takenNames(tx);
      if (taken.length) {
        throw new SeedRefusedError(`The demo's names are taken (${taken.join(', ')}): nothing was seeded.`);
      }
      const userIds: Record<string, number> = {};
      const skipped: string[] = [];
      for (const [i, person] of DEMO_USERS.entries()) {
        // A known password on a superuser of an instance in use would open all of it.
        if (person.superuser && inUse.length) {
          skipped.push(person.username);
          continue;
        }
        const [row] = await tx
          .insert(users)
          .values({
            username: demoUsername(person.username),
            email: demoEmail(person.username),
            name: person.name,
            passwordHash: hashes[i]!,
            isSuperuser: person.superuser ?? false,
            avatarColor: AVATAR_COLOURS[i % AVATAR_COLOURS.length]!,
          })
          .returning({ id: users.id });
        userIds[person.username] = row!.id;
      }

      const companyIds: Record<string, number> = {};
      for (const company of COMPANIES) {
        const [row] = await tx
          .insert(companies)
          .values({ name: company.name, slug: companySlug(company.slug) })
          .returning({ id: companies.id });
        companyIds[company.slug] = row!.id;
      }
      for (const person of DEMO_USERS) {
        const userId = userIds[person.username];
        if (!person.company || userId === undefined) continue;
        const companyId = companyIds[person.company.slug]!;
        const table = person.company.as === 'admin' ? companyAdmins : companyUsers;
        await tx.insert(table).values({ companyId, userId });
      }

      const contactRows = await tx
        .insert(contacts)
        .values(
          CONTACTS.map(({ company, ...c }) => ({ ...c, companyId: company === null ? null : companyIds[company]! })),
        )
        .returning({ id: contacts.id, companyId: contacts.companyId });

      const [project] = await tx
        .insert(projects)
        .values({
          name: 'Demo Board',
          key: DEMO_PROJECT_KEY,
          description: 'A support board to try Laneway on: drag cards, open tickets, chat with Acme and Globex.',
          createdBy: userIds.superadmin ?? null,
          ticketSeq: ticketCount,
          archiveAfterHours: options.archiveAfterHours === undefined ? 24 * 90 : options.archiveAfterHours,
        })
        .returning({ id: projects.id });
      const projectId = project!.id;
      const members = DEMO_USERS.filter((u) => u.projectRole && userIds[u.username] !== undefined);
      if (members.length) {
        await tx
          .insert(userRoles)
          .values(members.map((u) => ({ projectId, userId: userIds[u.username]!, role: u.projectRole! })));
      }
      await tx
        .insert(projectCompanies)
        .values(Object.values(companyIds).map((companyId) => ({ projectId, companyId })));

      const columnKeys = generateNKeysBetween(null, null, DEFAULT_COLUMNS.length);
      const columnRows = await tx
        .insert(columns)
        .values(
          DEFAULT_COLUMNS.map((c, i) => ({ projectId, name: c.name, category: c.category, position: columnKeys[i]! })),
        )
        .returning({ id: columns.id });
      const tagRows = await tx
        .insert(tags)
        .values(TAGS.map((t) => ({ projectId, ...t })))
        .returning({ id: tags.id });

      const staff = ['superadmin', 'agent-admin', 'agent'].flatMap((u) =>
        userIds[u] === undefined ? [] : [userIds[u]],
      );
      const planned = planTickets(ticketCount, rng, {
        projectId,
        columnIds: columnRows.map((c) => c.id),
        tagIds: tagRows.map((t) => t.id),
        staff,
        reporters: staff.length ? staff : Object.values(userIds),
        companies: COMPANIES.map((c) => ({
          id: companyIds[c.slug]!,
          people: DEMO_USERS.filter((u) => u.company?.slug === c.slug && userIds[u.username] !== undefined).map(
            (u) => userIds[u.username]!,
          ),
          contacts: contactRows.filter((r) => r.companyId === companyIds[c.slug]).map((r) => r.id),
        })).map((c) => ({ ...c, people: c.people.length ? c.people : staff })),
      });
      const ticketIds: number[] = [];
      for (const batch of chunks(planned)) {
        const rows = await tx
          .insert(tickets)
          .values(batch.map((p) => p.row))
          .returning({ id: tickets.id });
        ticketIds.push(...rows.map((r) => r.id));
      }
      const assigneeRows = planned.flatMap((p, i) =>
        p.assignees.map((userId) => ({ ticketId: ticketIds[i]!, userId })),
      );
      for (const batch of chunks(assigneeRows)) await tx.insert(ticketAssignees).values(batch);
      const tagLinks = planned.flatMap((p, i) => p.tagIds.map((tagId) => ({ ticketId: ticketIds[i]!, tagId })));
      for (const batch of chunks(tagLinks)) await tx.insert(ticketTags).values(batch);

      const perColumn = DEFAULT_COLUMNS.map(
        (c, i) => `${c.name} ${planned.filter((p) => p.row.columnId === columnRows[i]!.id).length}`,
      );
      const summary = [
        `  users       ${Object.keys(userIds).length} (${Object.keys(userIds).join(', ')})`,
        `  companies   ${COMPANIES.map((c) => c.name).join(', ')} (linked to the project); contacts ${contactRows.length}`,
        `  project     Demo Board (key ${DEMO_PROJECT_KEY}, id ${projectId}), ${members.length} members, 4 columns, ${TAGS.length} tags`,
        `  tickets     ${ticketCount} (${perColumn.join(', ')}); ${assigneeRows.length} assignments, ${tagLinks.length} tag links`,
      ];
      return {
        created: true,
        projectId,
        columnIds: columnRows.map((c) => c.id),
        ticketIds,
        users: userIds,
        password: DEMO_PASSWORD,
        skipped,
        summary,
      };
    });

    const { skipped, summary, ...seeded } = result;
    if (!seeded.created) {
      log(`A project with key ${DEMO_PROJECT_KEY} exists already (id ${seeded.projectId}): nothing to seed.`);
      return seeded;
    }
    log([`Seeded the demo in ${Math.round(performance.now() - started)} ms:`, ...summary].join('\n'));
    const width = Math.max(...DEMO_USERS.map((u) => u.username.length));
    const lines = DEMO_USERS.filter((u) => seeded.users[u.username] !== undefined).map(
      (u) => `  ${demoUsername(u.username).padEnd(width + DEMO_PREFIX.length)}  ${u.describe}`,
    );
    log(`\nSign in with one of these usernames and the password "${DEMO_PASSWORD}":\n${lines.join('\n')}`);
    if (skipped.length) log(`  (no superuser created: this instance was in use before the demo)`);
    return seeded;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { tickets: { type: 'string' }, force: { type: 'boolean' } } });
  const ticketCount = values.tickets === undefined ? 1000 : Number(values.tickets);
  if (!Number.isInteger(ticketCount) || ticketCount < 0) throw new Error('--tickets must be a whole number >= 0');
  const database = await openDatabase(process.env, (message) => console.log(message));
  try {
    console.log(`Seeding ${database.description}`);
    await seedDemo(database.url, { tickets: ticketCount, force: values.force ?? false });
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    // Exit now: embedded.ts's exit handler stops an embedded cluster, if one was started.
    process.exit(1);
  });
}
