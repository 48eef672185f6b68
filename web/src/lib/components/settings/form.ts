import { ApiError, type Api, type User } from '#lib/api/index.ts';

/** A refused change as a form shows it: the server's message, and per-field messages beside their fields. */
export interface Refusal {
  message: string;
  fields: Record<string, string>;
}

/**
 * The server's refusal (its error envelope) as text for a form; `details` of a validation error
 * (`{field: [messages]}`) become per-field messages.
 *
 * @example catch (e) { refusal = refusalOf(e, 'The column was not saved'); }
 */
export function refusalOf(error: unknown, fallback: string): Refusal {
  if (!(error instanceof ApiError)) return { message: fallback, fields: {} };
  const fields: Record<string, string> = {};
  const details = error.details;
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
      if (Array.isArray(value)) fields[key] = value.map(String).join(' ');
      else if (typeof value === 'string') fields[key] = value;
    }
  }
  const detail = Object.entries(fields)
    .map(([key, text]) => `${key}: ${text}`)
    .join('; ');
  return {
    message: detail && error.message === 'Invalid input' ? `${error.message} (${detail})` : error.message,
    fields,
  };
}

/** No refusal. */
export const NO_REFUSAL: Refusal = { message: '', fields: {} };

/** What a "username or email" box resolved to: one user, several to choose from, or none. */
export type UserMatch = { user: User } | { candidates: User[] } | { none: string };

/**
 * Finds the active user meant by a username or email: an exact (case-insensitive) username or
 * email wins, else the only match; several matches are offered to choose from.
 */
export async function findUser(api: Api, text: string): Promise<UserMatch> {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return { none: 'Type a username or email' };
  const { results } = await api.findUsers(wanted);
  const exact = results.find((u) => u.username.toLowerCase() === wanted || u.email.toLowerCase() === wanted);
  if (exact) return { user: exact };
  if (results.length === 1) return { user: results[0]! };
  if (results.length === 0) return { none: `No active user matches “${text.trim()}”` };
  return { candidates: results };
}
