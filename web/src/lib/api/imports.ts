import { API, ApiError, parseJson, refusal, type Call, type Fetch } from './request.ts';
import type { ImportPreview, ProjectImport } from './types.ts';

/** Import and export of projects (`/projects/import/`, `/projects/{id}/import/`, `/imports/…`, `/projects/{id}/export/`). */
export function importCalls(call: Call) {
  return {
    importStatus: (id: number) => call<ProjectImport>('GET', `/imports/${id}/`),
  };
}

/** The export's address: a plain link downloads it with the session cookie. */
export const exportHref = (project: number) => `${API}/projects/${project}/export/`;

/** The import form as the server reads it: `source`, `mapping` (JSON) and the `file`. */
export function importForm(source: string, file: File, mapping?: Record<string, unknown>): FormData {
  const form = new FormData();
  form.append('source', source);
  if (mapping) form.append('mapping', JSON.stringify(mapping));
  form.append('file', file, file.name);
  return form;
}

async function postForm<T>(fetcher: Fetch, path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetcher(`${API}${path}`, { method: 'POST', body: form, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const json = parseJson(await response.text());
  if (!response.ok) throw refusal(response.status, json, `The server answered ${response.status}`);
  return json as T;
}

/**
 * Uploads a file for import: the server checks it and queues the job (poll `importStatus`).
 * With `into`, the file is added to that existing project (the superuser only).
 */
export const startImport = (fetcher: Fetch, form: FormData, into?: number) =>
  postForm<{ id: number; status: 'queued' }>(
    fetcher,
    into === undefined ? '/projects/import/' : `/projects/${into}/import/`,
    form,
  );

/** What the file holds, for the mapping step. */
export const previewImport = (fetcher: Fetch, form: FormData) =>
  postForm<ImportPreview>(fetcher, '/imports/preview/', form);
