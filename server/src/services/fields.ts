/**
 * Custom fields (SPEC §14): a project's field definitions, and the values tickets hold for them.
 * Anyone who can see the project reads the definitions; only those who manage it change them
 * (`requireProjectManager`, like columns and tags). Values live in `tickets.fields`, a jsonb
 * object keyed by field id (decision 0027): ticket writes validate them here
 * (`checkFieldValues`), lists filter and order by them here (`fieldFilterSql`,
 * `fieldOrderSql`). Removing a field or an option removes its values from every ticket in the
 * same transaction; the ticket versions do not move (no one edited the tickets), and the
 * `field.deleted` / `field.updated` event tells clients to drop the values they hold.
 */
import type { Db, Executor } from '@laneway/db/client';
import { customFields, userRoles, type FieldOption } from '@laneway/db/schema';
import { and, asc, desc, eq, gt, inArray, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { badRequest, notFound } from '../lib/errors.ts';
import { containsPattern, pageOfArray, type PageParams } from '../lib/pagination.ts';
import { canSeeProject } from '../policy/index.ts';
import { loadProjectAccess } from '../policy/load.ts';
import type { Field, FieldType, FieldValue } from '../schemas/fields.ts';
import { recordChange } from './changes.ts';
import { keyBetween } from './ordering.ts';
import { requireManageable, requireProjectAccess, requireProjectManager } from './projects.ts';
import { transact } from './publish.ts';

export type FieldRow = typeof customFields.$inferSelect;

const CHOICE_TYPES: readonly FieldType[] = ['select', 'multi_select'];

export function serializeField(f: FieldRow): Field {
  return {
    id: f.id,
    project: f.projectId,
    name: f.name,
    type: f.type,
    options: f.options,
    required: f.required,
    show_on_card: f.showOnCard,
    position: f.position,
  };
}

/** A project's fields in display order (no permission check: the caller has made it). */
export async function loadFields(db: Executor, projectId: number): Promise<FieldRow[]> {
  return db
    .select()
    .from(customFields)
    .where(eq(customFields.projectId, projectId))
    .orderBy(asc(customFields.position));
}

/** A page of a project's fields in display order, for anyone who can see the project. */
export async function listFields(db: Executor, actor: Actor, projectId: number, page: PageParams) {
  await requireProjectAccess(db, actor, projectId);
  return pageOfArray((await loadFields(db, projectId)).map(serializeField), page);
}

async function loadField(db: Executor, id: number): Promise<FieldRow> {
  const [row] = await db.select().from(customFields).where(eq(customFields.id, id));
  if (!row) throw notFound();
  return row;
}

export interface OptionInput {
  id?: number | undefined;
  label: string;
  colour?: string | null | undefined;
}

/**
 * The options a create or edit ends with: kept ones by id (which must be this field's: an id
 * of another field's option is a 400), new ones with ids from the shared sequence.
 */
async function resolveOptions(
  db: Executor,
  type: FieldType,
  input: OptionInput[] | undefined,
  current: FieldOption[],
): Promise<FieldOption[]> {
  if (input === undefined) return current;
  if (!CHOICE_TYPES.includes(type)) {
    if (input.length) throw badRequest('Only select fields have options', { options: [`A ${type} field has none`] });
    return [];
  }
  const known = new Set(current.map((o) => o.id));
  const unknown = input.filter((o) => o.id !== undefined && !known.has(o.id)).map((o) => o.id);
  if (unknown.length) {
    throw badRequest('Unknown options', { options: unknown.map((id) => `Option ${id} is not one of this field's`) });
  }
  const ids = input.map((o) => o.id).filter((id) => id !== undefined);
  if (new Set(ids).size !== ids.length) throw badRequest('An option is listed twice', { options: ['Duplicate id'] });
  const labels = input.map((o) => o.label.toLowerCase());
  if (new Set(labels).size !== labels.length) {
    throw badRequest('Two options have the same label', { options: ['Labels must differ'] });
  }
  const fresh = input.filter((o) => o.id === undefined).length;
  const newIds = fresh
    ? (
        await db.execute<{ id: string }>(
          sql`select nextval('field_option_ids')::text as id from generate_series(1, ${fresh})`,
        )
      ).map((r) => Number(r.id))
    : [];
  return input.map((o) => ({ id: o.id ?? newIds.shift()!, label: o.label, colour: o.colour ?? null }));
}

export interface NewField {
  name: string;
  type: FieldType;
  options?: OptionInput[] | undefined;
  required?: boolean | undefined;
  show_on_card?: boolean | undefined;
}

/** Adds a field at the end of a project's fields (the project's superadmins). */
export async function createField(db: Db, actor: Actor, projectId: number, input: NewField): Promise<Field> {
  await requireProjectManager(db, actor, projectId);
  return transact(db, async (tx) => {
    // Serialise field creation per project so two new fields never pick the same key.
    await tx.execute(sql`select id from projects where id = ${projectId} for update`);
    const [last] = await tx
      .select({ position: customFields.position })
      .from(customFields)
      .where(eq(customFields.projectId, projectId))
      .orderBy(desc(customFields.position))
      .limit(1);
    const [row] = await tx
      .insert(customFields)
      .values({
        projectId,
        name: input.name,
        type: input.type,
        options: await resolveOptions(tx, input.type, input.options ?? [], []),
        required: input.required ?? false,
        showOnCard: input.show_on_card ?? false,
        position: keyBetween({ lower: last?.position ?? null, upper: null }),
      })
      .returning();
    const json = serializeField(row!);
    await recordChange(tx, {
      projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'field.created',
      data: { field: json.id, name: json.name },
      payload: json,
    });
    return json;
  });
}

export interface FieldPatch {
  name?: string | undefined;
  options?: OptionInput[] | undefined;
  required?: boolean | undefined;
  show_on_card?: boolean | undefined;
}

/**
 * Edits a field. `options` is the whole new list: options left out are removed, and so are
 * their values on every ticket of the project (a multi-select keeps its other choices).
 */
export async function updateField(db: Db, actor: Actor, id: number, patch: FieldPatch): Promise<Field> {
  const field = await requireManageable(db, actor, loadField, id);
  return transact(db, async (tx) => {
    const options = await resolveOptions(tx, field.type, patch.options, field.options);
    const kept = new Set(options.map((o) => o.id));
    const removed = field.options.map((o) => o.id).filter((o) => !kept.has(o));
    const [row] = await tx
      .update(customFields)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.required !== undefined && { required: patch.required }),
        ...(patch.show_on_card !== undefined && { showOnCard: patch.show_on_card }),
        options,
      })
      .where(eq(customFields.id, id))
      .returning();
    if (removed.length) await removeOptionValues(tx, field, removed);
    const json = serializeField(row!);
    await recordChange(tx, {
      projectId: field.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'field.updated',
      data: { field: id, fields: Object.keys(patch), removed_options: removed },
      payload: json,
    });
    return json;
  });
}

/** Drops removed options from the values of a field on its project's tickets. */
async function removeOptionValues(tx: Executor, field: FieldRow, removed: number[]) {
  const key = String(field.id);
  const gone = sql`array[${sql.join(
    removed.map((r) => sql`${r}`),
    sql`, `,
  )}]::int[]`;
  if (field.type === 'select') {
    await tx.execute(sql`
      update tickets set fields = fields - ${key}
      where project_id = ${field.projectId} and (fields ->> ${key})::int = any(${gone})`);
    return;
  }
  // A multi-select keeps its other choices; one left with none loses the key.
  await tx.execute(sql`
    update tickets set fields = coalesce(
      (select jsonb_set(fields, array[${key}], jsonb_agg(e order by o))
         from jsonb_array_elements(fields -> ${key}) with ordinality as x(e, o)
        where (e #>> '{}')::int <> all(${gone})
       having count(*) > 0),
      fields - ${key})
    where project_id = ${field.projectId}
      and jsonb_typeof(fields -> ${key}) = 'array'
      and exists (select 1 from jsonb_array_elements(fields -> ${key}) e where (e #>> '{}')::int = any(${gone}))`);
}

/** Deletes a field and its values on every ticket of the project, in one transaction. */
export async function deleteField(db: Db, actor: Actor, id: number): Promise<void> {
  const field = await requireManageable(db, actor, loadField, id);
  await transact(db, async (tx) => {
    await tx.delete(customFields).where(eq(customFields.id, id));
    await tx.execute(sql`
      update tickets set fields = fields - ${String(id)}
      where project_id = ${field.projectId} and jsonb_exists(fields, ${String(id)})`);
    await recordChange(tx, {
      projectId: field.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'field.deleted',
      data: { field: id, name: field.name },
      payload: { id },
    });
  });
}

/** Reorders a field among its project's fields by its neighbours (see ordering.ts). */
export async function moveField(
  db: Db,
  actor: Actor,
  id: number,
  target: { before?: number | undefined; after?: number | undefined },
): Promise<Field> {
  const field = await requireManageable(db, actor, loadField, id);
  return transact(db, async (tx) => {
    await tx.execute(sql`select id from projects where id = ${field.projectId} for update`);
    const neighbour = async (nid: number, name: 'before' | 'after') => {
      const [row] = await tx
        .select()
        .from(customFields)
        .where(and(eq(customFields.id, nid), eq(customFields.projectId, field.projectId)));
      if (!row || row.id === field.id) {
        throw badRequest('Invalid neighbour field', { [name]: ['Not another field of this project'] });
      }
      return row.position;
    };
    const others = and(eq(customFields.projectId, field.projectId), ne(customFields.id, field.id));
    const nearest = async (where: SQL | undefined, order: SQL) => {
      const [row] = await tx
        .select({ position: customFields.position })
        .from(customFields)
        .where(and(others, where))
        .orderBy(order)
        .limit(1);
      return row?.position ?? null;
    };
    let lower: string | null;
    let upper: string | null;
    if (target.after !== undefined) {
      lower = await neighbour(target.after, 'after');
      upper = await nearest(gt(customFields.position, lower), asc(customFields.position));
    } else if (target.before !== undefined) {
      upper = await neighbour(target.before, 'before');
      lower = await nearest(lt(customFields.position, upper), desc(customFields.position));
    } else {
      lower = await nearest(undefined, desc(customFields.position));
      upper = null;
    }
    const [row] = await tx
      .update(customFields)
      .set({ position: keyBetween({ lower, upper }) })
      .where(eq(customFields.id, id))
      .returning();
    const json = serializeField(row!);
    await recordChange(tx, {
      projectId: field.projectId,
      ticketId: null,
      actorId: actor.id,
      verb: 'field.moved',
      data: { field: id },
      payload: json,
    });
    return json;
  });
}

// ---------------------------------------------------------------------------------------------
// Values

/** A ticket's `fields` as a body gives them: a value per field id, null to clear. */
export type FieldValuesInput = Record<string, FieldValue | null>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

function isHttpUrl(v: string): boolean {
  if (!URL.canParse(v)) return false;
  const protocol = new URL(v).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/** The value to store for one field, or an error message; `null` clears it. */
function normalise(field: FieldRow, value: FieldValue): { value: FieldValue | null } | { error: string } {
  const optionIds = new Set(field.options.map((o) => o.id));
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string' || value.length > 10_000) return { error: 'Text of at most 10,000 characters' };
      return { value: value.trim() === '' ? null : value };
    case 'url':
      if (typeof value !== 'string' || value.length > 2_000 || !isHttpUrl(value)) return { error: 'An http(s) URL' };
      return { value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { error: 'A number' };
      return { value };
    case 'date':
      if (typeof value !== 'string' || !isDate(value)) return { error: 'A date as YYYY-MM-DD' };
      return { value };
    case 'checkbox':
      if (typeof value !== 'boolean') return { error: 'true or false' };
      return { value };
    case 'user':
      if (typeof value !== 'number' || !Number.isInteger(value)) return { error: 'A user id' };
      return { value };
    case 'select':
      if (typeof value !== 'number' || !optionIds.has(value)) return { error: "One of this field's option ids" };
      return { value };
    case 'multi_select': {
      if (!Array.isArray(value) || !value.every((v) => optionIds.has(v))) {
        return { error: "A list of this field's option ids" };
      }
      const unique = [...new Set(value)];
      return { value: unique.length ? field.options.map((o) => o.id).filter((id) => unique.includes(id)) : null };
    }
  }
}

/**
 * The `fields` a ticket ends with after a create (`current` empty) or an edit: each given value
 * checked against its field's type (400 naming the field for a wrong type, an option that is
 * not the field's, a user who is not a member, a field of another project), null clearing it,
 * and every required field holding a value. Also says which fields changed.
 */
export async function checkFieldValues(
  db: Executor,
  projectId: number,
  input: FieldValuesInput | undefined,
  current: Record<string, unknown>,
  creating: boolean,
): Promise<{ fields: Record<string, unknown>; changed: string[] }> {
  if (input === undefined && !creating) return { fields: current, changed: [] };
  const defs = await loadFields(db, projectId);
  const byId = new Map(defs.map((f) => [String(f.id), f]));
  const next: Record<string, unknown> = { ...current };
  const problems: Record<string, string[]> = {};
  const users: { key: string; id: number }[] = [];
  for (const [key, raw] of Object.entries(input ?? {})) {
    const field = byId.get(key);
    if (!field) {
      problems[`fields.${key}`] = ['No such field in this project'];
      continue;
    }
    const result = raw === null ? { value: null } : normalise(field, raw);
    if ('error' in result) {
      problems[`fields.${key}`] = [result.error];
      continue;
    }
    if (result.value === null) delete next[key];
    else next[key] = result.value;
    if (field.type === 'user' && typeof result.value === 'number') users.push({ key, id: result.value });
  }
  if (users.length) {
    const members = await db
      .select({ id: userRoles.userId })
      .from(userRoles)
      .where(
        and(
          eq(userRoles.projectId, projectId),
          inArray(
            userRoles.userId,
            users.map((u) => u.id),
          ),
        ),
      );
    const known = new Set(members.map((m) => m.id));
    for (const u of users) if (!known.has(u.id)) problems[`fields.${u.key}`] = [`User ${u.id} is not a member`];
  }
  for (const field of defs) {
    const key = String(field.id);
    if (field.required && next[key] === undefined && !problems[`fields.${key}`]) {
      // An edit that leaves an old ticket's required field empty is fine; clearing it is not.
      if (creating || (input && key in input)) problems[`fields.${key}`] = [`${field.name} is required`];
    }
  }
  if (Object.keys(problems).length) throw badRequest('Invalid field values', problems);
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  const changed = [...keys].filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next[k]));
  return { fields: next, changed };
}

/** A field the actor can see, for a filter or an ordering of the ticket list (400 otherwise). */
async function visibleField(db: Executor, actor: Actor, id: number, param: string): Promise<FieldRow> {
  const [field] = await db.select().from(customFields).where(eq(customFields.id, id));
  if (field && canSeeProject(await loadProjectAccess(db, actor, field.projectId))) return field;
  throw badRequest('Unknown field', { [param]: [`No field ${id}`] });
}

const FIELD_PARAM = /^field_(\d{1,9})$/;

/** The `field_<id>` entries of a query string (other parameters are the route's). */
export function fieldParams(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([k]) => FIELD_PARAM.test(k)));
}

/**
 * `field_<id>=value` filters as SQL on `tickets.fields`. Exact types use containment, which the
 * GIN index serves (decision 0027); text and URL fields match a substring; `false` for a
 * checkbox matches tickets without a tick.
 */
export async function fieldFilterSql(db: Executor, actor: Actor, params: Record<string, string>): Promise<SQL[]> {
  const out: SQL[] = [];
  for (const [param, raw] of Object.entries(params)) {
    const field = await visibleField(db, actor, Number(FIELD_PARAM.exec(param)![1]), param);
    const key = String(field.id);
    const contains = (value: unknown) => sql`tickets.fields @> ${JSON.stringify({ [key]: value })}::jsonb`;
    const bad = (what: string) => badRequest('Invalid field filter', { [param]: [what] });
    const int = Number(raw);
    switch (field.type) {
      case 'text':
      case 'url':
        out.push(sql`tickets.fields ->> ${key} ilike ${containsPattern(raw)}`);
        break;
      case 'number':
        if (raw.trim() === '' || !Number.isFinite(int)) throw bad('A number');
        out.push(contains(int));
        break;
      case 'date':
        if (!isDate(raw)) throw bad('A date as YYYY-MM-DD');
        out.push(contains(raw));
        break;
      case 'checkbox':
        if (raw !== 'true' && raw !== 'false') throw bad('true or false');
        out.push(raw === 'true' ? contains(true) : sql`not ${contains(true)}`);
        break;
      case 'user':
        if (!Number.isInteger(int) || int < 1) throw bad('A user id');
        out.push(contains(int));
        break;
      case 'select':
      case 'multi_select':
        if (!field.options.some((o) => o.id === int)) throw bad("One of this field's option ids");
        out.push(contains(field.type === 'select' ? int : [int]));
        break;
    }
  }
  return out;
}

/**
 * The sort expression of `ordering=field_<id>`: numbers and dates by value, a select by its
 * options' order, a checkbox ticked last, text by text.
 */
export async function fieldOrderSql(db: Executor, actor: Actor, id: number): Promise<SQL> {
  const field = await visibleField(db, actor, id, 'ordering');
  const key = String(field.id);
  switch (field.type) {
    case 'number':
      return sql`(tickets.fields ->> ${key})::numeric`;
    case 'user':
      return sql`(tickets.fields ->> ${key})::int`;
    case 'checkbox':
      return sql`(tickets.fields ->> ${key})::boolean`;
    case 'select':
    case 'multi_select': {
      const order = field.options.length
        ? sql`array[${sql.join(
            field.options.map((o) => sql`${o.id}`),
            sql`, `,
          )}]::int[]`
        : sql`'{}'::int[]`;
      const first = field.type === 'select' ? sql`tickets.fields ->> ${key}` : sql`tickets.fields -> ${key} ->> 0`;
      return sql`array_position(${order}, (${first})::int)`;
    }
    default:
      return sql`tickets.fields ->> ${key}`;
  }
}

/** Search also finds a ticket by the text of its text and URL fields. */
export const fieldTextSearchSql = (pattern: string): SQL => sql`exists (
  select 1 from jsonb_each_text(tickets.fields) v join custom_fields f on f.id = v.key::int
  where f.project_id = tickets.project_id and f.type in ('text', 'url') and v.value ilike ${pattern})`;
