import type { AuditQuery } from '#lib/api/index.ts';

/** The filters of the audit page, as its URL keeps them (so a reload or a shared link shows the same). */
export function auditFilters(url: { readonly searchParams: { get(name: string): string | null } }): AuditQuery {
  const get = (name: string) => url.searchParams.get(name) || undefined;
  const actor = Number(get('actor'));
  const page = Number(get('page'));
  // A day typed in the form means the whole day, local time.
  const since = get('since');
  const until = get('until');
  return {
    ...(Number.isInteger(actor) && actor > 0 ? { actor } : {}),
    ...(get('action') ? { action: get('action') } : {}),
    ...(since ? { since: new Date(`${since}T00:00:00`).toISOString() } : {}),
    ...(until ? { until: new Date(`${until}T23:59:59.999`).toISOString() } : {}),
    ...(Number.isInteger(page) && page > 1 ? { page } : {}),
  };
}
