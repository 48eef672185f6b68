/**
 * What each import source reads, turned into one `ExportDoc` (export-format.ts): a Trello
 * board's JSON, a spreadsheet's CSV, and Laneway's own `.tar.gz`. A file that cannot be read
 * throws a 400 naming the JSON path, the CSV line or the archive entry that is wrong, so the
 * upload is refused before any job is queued (decision 0045).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import tar from 'tar-stream';
import { z } from 'zod';
import { badRequest } from '../lib/errors.ts';
import { emptyDoc, ExportDoc, jsonPath, type ExportTicket } from './export-format.ts';
import { keysAfter } from './ordering.ts';

/** The largest project.json an import reads (bytes, uncompressed). */
const MAX_PROJECT_JSON = 256 * 1024 * 1024;

export const IMPORT_SOURCES = ['trello', 'csv', 'laneway'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];
type Category = 'todo' | 'in_progress' | 'done';

/** The column kind a list or column name suggests: Done, Closed, Complete…; Doing, Review…; else To do. */
export function guessCategory(name: string): Category {
  if (
    /\b(done|closed|complete[d]?|finished|shipped|resolved|released|archived?|fait|termin[ée]e?s?|erledigt)\b/i.test(
      name,
    )
  )
    return 'done';
  if (/\b(doing|in[ _-]?progress|progress|review|wip|testing|qa|active|started|ongoing|en cours|blocked)\b/i.test(name))
    return 'in_progress';
  return 'todo';
}

function zodRefusal(what: string, error: z.ZodError): never {
  const issues = error.issues.slice(0, 5).map((i) => `${jsonPath(i.path)}: ${i.message}`);
  throw badRequest(`${what}: ${issues[0]}`, { file: issues });
}

/** JSON.parse with a refusal that says where: the position (and line) of the error, or the end. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const position = at ? Number(at[1]) : text.length;
    const line = text.slice(0, position).split('\n').length;
    throw badRequest(`${what} is not valid JSON at position ${position} (line ${line}): ${message}`, {
      file: [`position ${position}, line ${line}: ${message}`],
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Trello

const TrelloBoard = z.looseObject({
  name: z.string().min(1),
  desc: z.string().optional(),
  lists: z.array(z.looseObject({ id: z.string(), name: z.string(), closed: z.boolean().optional(), pos: z.number() })),
  cards: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      desc: z.string().optional(),
      idList: z.string(),
      closed: z.boolean().optional(),
      pos: z.number(),
      due: z.string().nullable().optional(),
      idShort: z.number().int().optional(),
      idLabels: z.array(z.string()).optional(),
      idMembers: z.array(z.string()).optional(),
      dateLastActivity: z.string().optional(),
      attachments: z
        .array(
          z.looseObject({
            name: z.string().optional(),
            url: z.string().optional(),
            bytes: z.number().nullable().optional(),
          }),
        )
        .optional(),
    }),
  ),
  labels: z
    .array(
      z.looseObject({
        id: z.string(),
        name: z.string().nullable().optional(),
        color: z.string().nullable().optional(),
      }),
    )
    .optional(),
  checklists: z
    .array(
      z.looseObject({
        id: z.string(),
        idCard: z.string(),
        name: z.string().optional(),
        pos: z.number().optional(),
        checkItems: z.array(
          z.looseObject({ name: z.string(), state: z.enum(['complete', 'incomplete']), pos: z.number().optional() }),
        ),
      }),
    )
    .optional(),
  actions: z
    .array(
      z.looseObject({
        type: z.string(),
        date: z.string(),
        idMemberCreator: z.string().optional(),
        data: z
          .looseObject({ text: z.string().optional(), card: z.looseObject({ id: z.string() }).optional() })
          .optional(),
        memberCreator: z
          .looseObject({ id: z.string(), username: z.string().optional(), fullName: z.string().optional() })
          .optional(),
      }),
    )
    .optional(),
  members: z
    .array(z.looseObject({ id: z.string(), username: z.string().optional(), fullName: z.string().optional() }))
    .optional(),
});
export type TrelloBoard = z.infer<typeof TrelloBoard>;

/** Trello's label colours, as Laneway tag colours. */
const TRELLO_COLOURS: Record<string, string> = {
  green: '#61bd4f',
  yellow: '#f2d600',
  orange: '#ff9f1a',
  red: '#eb5a46',
  purple: '#c377e0',
  blue: '#0079bf',
  sky: '#00c2e0',
  lime: '#51e898',
  pink: '#ff78cb',
  black: '#344563',
};

/** Reads and checks a Trello board export; a wrong shape is refused with its JSON path. */
export function readTrello(text: string): TrelloBoard {
  const parsed = TrelloBoard.safeParse(parseJsonText(text, 'The Trello file'));
  if (!parsed.success) zodRefusal('Not a Trello board export', parsed.error);
  const board = parsed.data;
  const lists = new Set(board.lists.map((l) => l.id));
  board.cards.forEach((card, i) => {
    if (!lists.has(card.idList)) {
      throw badRequest(`$.cards[${i}].idList: no list ${card.idList} on the board`, {
        file: [`$.cards[${i}].idList: no list ${card.idList}`],
      });
    }
  });
  return board;
}

const validTime = (s: string | null | undefined): string | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

/** Trello ids begin with the second they were made: a card's creation time. */
const trelloIdTime = (id: string): string | null => {
  const seconds = Number.parseInt(id.slice(0, 8), 16);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
};

/** A short project key from a name: `Website relaunch` → `WR`. */
export function keyFromName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const key = words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? 'IMP').slice(0, 4);
  return key.toUpperCase().slice(0, 6) || 'IMP';
}

/** A summary of a board for the mapping step: its lists with the category guessed for each. */
export function trelloSummary(board: TrelloBoard) {
  return {
    name: board.name,
    lists: [...board.lists]
      .sort((a, b) => a.pos - b.pos)
      .map((l) => ({ id: l.id, name: l.name, category: guessCategory(l.name), closed: l.closed ?? false })),
    cards: board.cards.length,
    labels: board.labels?.length ?? 0,
    checklists: board.checklists?.length ?? 0,
    comments: board.actions?.filter((a) => a.type === 'commentCard').length ?? 0,
    members: (board.members ?? []).map((m) => m.username ?? m.fullName ?? m.id),
  };
}

/** A Trello board as a Laneway document; `categories` overrides the guessed kind of a list. */
export function trelloToDoc(board: TrelloBoard, categories: Record<string, Category> = {}): ExportDoc {
  const doc = emptyDoc(board.name, keyFromName(board.name));
  doc.project.description = board.desc ?? '';
  const now = new Date().toISOString();
  const lists = [...board.lists].sort((a, b) => a.pos - b.pos);
  const listIds = new Map<string, number>();
  const listKeys = keysAfter(null, lists.length);
  lists.forEach((l, i) => {
    listIds.set(l.id, i + 1);
    doc.columns.push({
      id: i + 1,
      name: l.name || `List ${i + 1}`,
      category: categories[l.id] ?? guessCategory(l.name),
      wip_limit: null,
      position: listKeys[i]!,
    });
  });
  const categoryOf = new Map(doc.columns.map((c) => [c.id, c.category]));
  const closedLists = new Set(lists.filter((l) => l.closed).map((l) => l.id));

  // People: board members, and whoever wrote a comment (who may have left the board since).
  const memberIds = new Map<string, number>();
  const addMember = (m: { id: string; username?: string | undefined; fullName?: string | undefined }) => {
    if (memberIds.has(m.id)) return;
    const id = memberIds.size + 1;
    memberIds.set(m.id, id);
    doc.users.push({ id, username: m.username ?? null, email: null, name: m.fullName ?? null });
  };
  for (const m of board.members ?? []) addMember(m);
  for (const a of board.actions ?? []) if (a.memberCreator) addMember(a.memberCreator);

  const labelIds = new Map<string, number>();
  const tagNames = new Set<string>();
  for (const label of board.labels ?? []) {
    let name = (label.name ?? '').trim() || (label.color ?? 'label');
    // Two labels of one name become one tag.
    const existing = doc.tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (existing) {
      labelIds.set(label.id, existing.id);
      continue;
    }
    name = name.slice(0, 100);
    tagNames.add(name.toLowerCase());
    const id = doc.tags.length + 1;
    labelIds.set(label.id, id);
    doc.tags.push({ id, name, colour: TRELLO_COLOURS[label.color ?? ''] ?? '#64748b' });
  }

  const checklistsByCard = new Map<string, NonNullable<TrelloBoard['checklists']>>();
  for (const cl of board.checklists ?? []) {
    const list = checklistsByCard.get(cl.idCard) ?? [];
    list.push(cl);
    checklistsByCard.set(cl.idCard, list);
  }

  const shorts = board.cards.map((c) => c.idShort ?? 0);
  const useShort = shorts.every((n) => n > 0) && new Set(shorts).size === shorts.length;
  const cardIds = new Map<string, number>();
  const byList = new Map<string, typeof board.cards>();
  for (const card of board.cards) {
    const list = byList.get(card.idList) ?? [];
    list.push(card);
    byList.set(card.idList, list);
  }
  let next = 0;
  for (const l of lists) {
    const cards = (byList.get(l.id) ?? []).sort((a, b) => a.pos - b.pos);
    const keys = keysAfter(null, cards.length);
    cards.forEach((card, i) => {
      const id = ++next;
      cardIds.set(card.id, id);
      const column = listIds.get(card.idList)!;
      const created = trelloIdTime(card.id) ?? now;
      const updated = validTime(card.dateLastActivity) ?? created;
      const archived = (card.closed ?? false) || closedLists.has(card.idList);
      let description = card.desc ?? '';
      const files = (card.attachments ?? []).filter((a) => a.url);
      if (files.length) {
        description +=
          (description ? '\n\n' : '') +
          '**Attachments (in Trello)**\n\n' +
          files.map((a) => `- [${(a.name ?? a.url!).replace(/[[\]]/g, '')}](${a.url})`).join('\n');
      }
      const checklist: ExportTicket['checklist'] = [];
      const cls = (checklistsByCard.get(card.id) ?? []).sort((a, b) => (a.pos ?? 0) - (b.pos ?? 0));
      for (const cl of cls) {
        for (const item of [...cl.checkItems].sort((a, b) => (a.pos ?? 0) - (b.pos ?? 0))) {
          checklist.push({
            text: cls.length > 1 && cl.name ? `${cl.name}: ${item.name}` : item.name,
            done: item.state === 'complete',
            position: '',
          });
        }
      }
      const itemKeys = keysAfter(null, checklist.length);
      checklist.forEach((item, k) => (item.position = itemKeys[k]!));
      doc.tickets.push({
        id,
        number: useShort ? card.idShort! : id,
        title: card.name.trim() || '(untitled card)',
        description,
        column,
        position: keys[i]!,
        priority: 2,
        company: null,
        reporter: null,
        assignees: (card.idMembers ?? []).map((m) => memberIds.get(m)).filter((m): m is number => m !== undefined),
        tags: [
          ...new Set((card.idLabels ?? []).map((l) => labelIds.get(l)).filter((t): t is number => t !== undefined)),
        ],
        due_at: validTime(card.due),
        done_at: categoryOf.get(column) === 'done' ? updated : null,
        is_archived: archived,
        archived_at: archived ? updated : null,
        fields: {},
        source: 'web',
        created_at: created,
        updated_at: updated,
        checklist,
      });
    });
  }

  let commentId = 0;
  for (const action of board.actions ?? []) {
    if (action.type !== 'commentCard') continue;
    const ticket = action.data?.card ? cardIds.get(action.data.card.id) : undefined;
    const text = action.data?.text;
    if (ticket === undefined || !text) continue;
    const created = validTime(action.date) ?? now;
    doc.comments.push({
      id: ++commentId,
      ticket,
      author: action.idMemberCreator ? (memberIds.get(action.idMemberCreator) ?? null) : null,
      parent: null,
      body: text,
      internal: false,
      created_at: created,
      edited_at: null,
      deleted_at: null,
    });
  }
  // Trello's actions come newest first; a thread reads oldest first.
  doc.comments.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  return doc;
}

// ---------------------------------------------------------------------------------------------
// CSV

export const CSV_FIELDS = [
  'title',
  'description',
  'column',
  'tags',
  'priority',
  'assignees',
  'due_date',
  'company',
] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

export const CsvMapping = z.object({
  title: z.string().min(1).optional(),
  description: z.string().optional(),
  column: z.string().optional(),
  tags: z.string().optional(),
  priority: z.string().optional(),
  assignees: z.string().optional(),
  due_date: z.string().optional(),
  company: z.string().optional(),
  /** How `03/04/2026` reads: day first (the default, as most spreadsheets outside the US) or month first. */
  date_order: z.enum(['dmy', 'mdy']).optional(),
});
export type CsvMapping = z.infer<typeof CsvMapping>;

/** `;` when the header line has more semicolons than commas outside quotes, else `,` (tab when only tabs). */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text.slice(0, 64 * 1024)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts[';'] > counts[',']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > 0) return '\t';
  return ',';
}

/** The file's text: UTF-8 (its BOM dropped), or Windows-1252 when it is not valid UTF-8, as older Excel writes. */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

export interface CsvTable {
  delimiter: string;
  headers: string[];
  /** Each record with the file line it starts on. */
  rows: { line: number; cells: string[] }[];
}

/** Parses a CSV; quotes, newlines in cells and a BOM as spreadsheets write them. A bad line is refused by number. */
export function readCsv(text: string, limit?: number): CsvTable {
  const delimiter = detectDelimiter(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      bom: true,
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_quotes: false,
      ...(limit ? { to: limit + 1 } : {}),
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as unknown as { lines?: number }).lines;
      throw badRequest(`CSV line ${line ?? '?'}: ${error.message}`, {
        file: [`line ${line ?? '?'}: ${error.message}`],
      });
    }
    throw error;
  }
  if (records.length === 0) throw badRequest('The CSV is empty', { file: ['line 1: no header row'] });
  const headers = records[0]!.record.map((h) => h.trim());
  const rows: CsvTable['rows'] = [];
  // info.lines is where the record ends; it starts after the previous record's end.
  let previousEnd = records[0]!.info.lines;
  for (const r of records.slice(1)) {
    rows.push({ line: previousEnd + 1, cells: r.record });
    previousEnd = r.info.lines;
  }
  return { delimiter, headers, rows };
}

/** The mapping the headers suggest: a header named like a field (any case, `Due date`, `Assignee`) maps to it. */
export function guessMapping(headers: string[]): CsvMapping {
  const synonyms: Record<CsvField, RegExp> = {
    title: /^(title|name|summary|subject|task|card)$/i,
    description: /^(description|desc|details|body|notes?)$/i,
    column: /^(column|status|list|state|stage)$/i,
    tags: /^(tags?|labels?)$/i,
    priority: /^(priority|prio)$/i,
    assignees: /^(assignees?|assigned[ _]?to|owner|members?)$/i,
    due_date: /^(due[ _]?date|due|deadline|due[ _]?at)$/i,
    company: /^(company|client|customer|organi[sz]ation)$/i,
  };
  const mapping: CsvMapping = {};
  for (const field of CSV_FIELDS) {
    const header = headers.find((h) => synonyms[field].test(h.trim()));
    if (header !== undefined) mapping[field] = header;
  }
  return mapping;
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/**
 * A date as spreadsheets write it: `2026-03-04`, `04/03/2026` (day first unless `mdy`),
 * `04.03.2026`, with an optional `hh:mm[:ss]`, or an Excel serial number (`46085`, `46085.5`).
 * Null for an empty cell; undefined for text that is no date.
 */
export function parseSheetDate(raw: string, order: 'dmy' | 'mdy' = 'dmy'): string | null | undefined {
  const s = raw.trim();
  if (!s) return null;
  if (/^\d{1,6}(\.\d+)?$/.test(s)) {
    const serial = Number(s);
    if (serial < 1 || serial > 2958465) return undefined;
    return new Date(EXCEL_EPOCH + Math.round(serial * 86400) * 1000).toISOString();
  }
  const time = /(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
  let m = new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})${time.source}`).exec(s);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = new RegExp(`^(\\d{1,2})[/.-](\\d{1,2})[/.-](\\d{2}|\\d{4})${time.source}`).exec(s);
    if (!m) {
      if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))) return new Date(s).toISOString();
      return undefined;
    }
    const a = Number(m[1]);
    const b = Number(m[2]);
    [d, mo] = order === 'dmy' ? [a, b] : [b, a];
    y = Number(m[3]);
    if (y < 100) y += 2000;
  }
  const [hh, mm, ss] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const date = new Date(Date.UTC(y, mo - 1, d, hh, mm, ss));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || hh > 23 || mm > 59 || ss > 59) return undefined;
  return date.toISOString();
}

const PRIORITY_WORDS: Record<string, number> = {
  low: 1,
  minor: 1,
  medium: 2,
  normal: 2,
  high: 3,
  major: 3,
  urgent: 4,
  critical: 4,
  blocker: 4,
};

const splitList = (s: string) =>
  s
    .split(/[,;|]/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * A CSV as a Laneway document by `mapping` (header names per field). Refused: a mapped header
 * that is not in the file, a row without a title, a due date that is no date; each by its line.
 */
export function csvToDoc(table: CsvTable, mapping: CsvMapping, name: string): { doc: ExportDoc; warnings: string[] } {
  const warnings: string[] = [];
  if (!mapping.title) throw badRequest('Map a column to the title', { mapping: ['title: required'] });
  const index: Partial<Record<CsvField, number>> = {};
  for (const field of CSV_FIELDS) {
    const header = mapping[field];
    if (header === undefined || header === '') continue;
    const i = table.headers.indexOf(header);
    if (i < 0) {
      throw badRequest(`CSV line 1: no column "${header}" (mapped to ${field})`, {
        mapping: [`${field}: the header row has no "${header}"`],
      });
    }
    index[field] = i;
  }
  const cell = (cells: string[], field: CsvField) => (index[field] === undefined ? '' : (cells[index[field]] ?? ''));
  const doc = emptyDoc(name, keyFromName(name));
  const columnIds = new Map<string, number>();
  if (index.column === undefined) {
    for (const [i, c] of [
      ['To Do', 'todo'],
      ['In Progress', 'in_progress'],
      ['Review', 'in_progress'],
      ['Done', 'done'],
    ].entries()) {
      doc.columns.push({ id: i + 1, name: c[0]!, category: c[1] as Category, wip_limit: null, position: '' });
    }
  }
  const tagIds = new Map<string, number>();
  const userIds = new Map<string, number>();
  const now = new Date().toISOString();
  const perColumn = new Map<number, ExportTicket[]>();
  for (const row of table.rows) {
    const title = cell(row.cells, 'title').trim();
    if (!title) throw badRequest(`CSV line ${row.line}: the title is empty`, { file: [`line ${row.line}: no title`] });
    let column = 1;
    const columnName = cell(row.cells, 'column').trim();
    if (index.column !== undefined && columnName) {
      const known = columnIds.get(columnName.toLowerCase());
      if (known) column = known;
      else {
        column = doc.columns.length + 1;
        columnIds.set(columnName.toLowerCase(), column);
        doc.columns.push({
          id: column,
          name: columnName,
          category: guessCategory(columnName),
          wip_limit: null,
          position: '',
        });
      }
    } else if (index.column !== undefined && doc.columns.length === 0) {
      doc.columns.push({ id: 1, name: 'To Do', category: 'todo', wip_limit: null, position: '' });
      columnIds.set('to do', 1);
    }
    const tags: number[] = [];
    for (const tag of splitList(cell(row.cells, 'tags'))) {
      let id = tagIds.get(tag.toLowerCase());
      if (!id) {
        id = tagIds.size + 1;
        tagIds.set(tag.toLowerCase(), id);
        doc.tags.push({ id, name: tag.slice(0, 100), colour: '#64748b' });
      }
      if (!tags.includes(id)) tags.push(id);
    }
    const assignees: number[] = [];
    for (const who of splitList(cell(row.cells, 'assignees'))) {
      let id = userIds.get(who.toLowerCase());
      if (!id) {
        id = userIds.size + 1;
        userIds.set(who.toLowerCase(), id);
        const email = who.includes('@') ? who : null;
        doc.users.push({ id, username: email ? null : who, email, name: null });
      }
      if (!assignees.includes(id)) assignees.push(id);
    }
    let priority = 2;
    const p = cell(row.cells, 'priority').trim().toLowerCase();
    if (p) {
      const n = /^[1-4]$/.test(p) ? Number(p) : PRIORITY_WORDS[p];
      if (n) priority = n;
      else warnings.push(`Line ${row.line}: priority "${p}" is not Low, Medium, High or Urgent; Medium kept`);
    }
    const dueRaw = cell(row.cells, 'due_date');
    const due = parseSheetDate(dueRaw, mapping.date_order);
    if (due === undefined) {
      throw badRequest(`CSV line ${row.line}: "${dueRaw}" is not a date`, {
        file: [`line ${row.line}: due date "${dueRaw}" is not a date (2026-03-31, 31/03/2026 or an Excel serial)`],
      });
    }
    let company: number | null = null;
    const companyName = cell(row.cells, 'company').trim();
    if (companyName) {
      const known = doc.companies.find((c) => c.name.toLowerCase() === companyName.toLowerCase());
      company = known?.id ?? doc.companies.length + 1;
      if (!known) doc.companies.push({ id: company, name: companyName });
    }
    const id = doc.tickets.length + 1;
    const ticket: ExportTicket = {
      id,
      number: id,
      title: title.slice(0, 500),
      description: cell(row.cells, 'description'),
      column,
      position: '',
      priority,
      company,
      reporter: null,
      assignees,
      tags,
      due_at: due,
      done_at: null,
      is_archived: false,
      archived_at: null,
      fields: {},
      source: 'web',
      created_at: now,
      updated_at: now,
      checklist: [],
    };
    doc.tickets.push(ticket);
    const list = perColumn.get(column) ?? [];
    list.push(ticket);
    perColumn.set(column, list);
  }
  const columnKeys = keysAfter(null, doc.columns.length);
  doc.columns.forEach((c, i) => (c.position = columnKeys[i]!));
  for (const [column, tickets] of perColumn) {
    const keys = keysAfter(null, tickets.length);
    const category = doc.columns[column - 1]!.category;
    tickets.forEach((t, i) => {
      t.position = keys[i]!;
      if (category === 'done') t.done_at = now;
    });
  }
  return { doc, warnings };
}

// ---------------------------------------------------------------------------------------------
// Laneway's own export

/**
 * Reads an export archive: `project.json` checked against the format, and a callback for each
 * attachment entry (the importer copies it into storage). Refused: not gzip/tar, no
 * project.json, a document of the wrong shape (by JSON path).
 */
export async function readLanewayArchive(
  file: string,
  onFile?: (name: string, stream: NodeJS.ReadableStream) => Promise<void>,
): Promise<ExportDoc> {
  const extract = tar.extract();
  let json: string | null = null;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/^\.\//, '');
      const finish = (error?: unknown) => (error ? reject(error as Error) : next());
      if (name === 'project.json') {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: unknown) => {
          size += (c as Buffer).length;
          // A gzip bomb stops here, before it becomes a string too large to parse.
          if (size > MAX_PROJECT_JSON) {
            reject(badRequest('project.json is too large', { file: [`project.json: over ${MAX_PROJECT_JSON} bytes`] }));
            extract.destroy();
            return;
          }
          chunks.push(c as Buffer);
        });
        stream.on('end', () => {
          json = Buffer.concat(chunks).toString('utf8');
          finish();
        });
        stream.on('error', finish);
      } else if (onFile && /^attachments\/\d+$/.test(name)) {
        onFile(name, stream as unknown as NodeJS.ReadableStream).then(() => finish(), finish);
      } else {
        stream.on('end', () => finish());
        stream.resume();
      }
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const input = createReadStream(file);
  const gunzip = createGunzip();
  const refuse = () => badRequest('Not a Laneway export (.tar.gz)', { file: ['the archive could not be read'] });
  input.on('error', () => extract.destroy(refuse()));
  gunzip.on('error', () => extract.destroy(refuse()));
  input.pipe(gunzip).pipe(extract);
  await done.catch((error: unknown) => {
    throw error instanceof Error && 'code' in error ? error : refuse();
  });
  if (json === null) throw badRequest('The archive has no project.json', { file: ['project.json: missing'] });
  const parsed = ExportDoc.safeParse(parseJsonText(json, 'project.json'));
  if (!parsed.success) zodRefusal('project.json does not match the export format', parsed.error);
  return parsed.data;
}

/** Reads a whole file as text, for the JSON and CSV sources. */
export async function readText(file: string): Promise<string> {
  return decodeText(await readFile(file));
}
