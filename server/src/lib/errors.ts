import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';

/** Every error code the API answers with, and its HTTP status. */
export const ERROR_STATUS = {
  validation_error: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  mfa_setup_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  insufficient_storage: 507,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error class: thrown anywhere, rendered by `onError` as the error envelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.details = details ?? null;
    this.headers = headers;
  }
  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what = 'Not found') => new AppError('not_found', what);
export const forbidden = (what = 'You may not do that') => new AppError('forbidden', what);
export const unauthorized = (what = 'Authentication required') => new AppError('unauthorized', what);
export const conflict = (what: string, details?: unknown) => new AppError('conflict', what, details);
export const badRequest = (what: string, details?: unknown) => new AppError('validation_error', what, details);

/** zod issues as `{path: message}` pairs, the shape clients show next to form fields. */
export function zodDetails(error: ZodError): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : 'non_field_errors';
    (details[key] ??= []).push(issue.message);
  }
  return details;
}

interface PgError {
  code?: string;
  constraint_name?: string;
  detail?: string;
}

/** Postgres errors a bad request can cause, mapped to 4xx so they never surface as a 500. */
function fromPostgres(error: PgError): AppError | null {
  switch (error.code) {
    case '23505':
      return conflict('A record with these values already exists', { constraint: error.constraint_name });
    case '23503':
      return badRequest('A referenced record does not exist', { constraint: error.constraint_name });
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return badRequest('A value is out of range or malformed');
    case '22021':
    case '22P05':
      // Postgres text cannot hold NUL (or untranslatable) characters, in any field.
      return badRequest('Text contains a character that cannot be stored (such as NUL)');
    case '54000':
      return badRequest('A value is too large');
    default:
      return unreachable(error.code) ? databaseUnavailable() : null;
  }
}

/**
 * The database cannot be reached: refused or dropped connections (postgres.js's own codes and
 * the system's), a server shutting down or starting (57P01-57P03), connection failures (08xxx).
 * The request is answered 503 with `Retry-After`; postgres.js reconnects by itself, so the
 * server recovers once PostgreSQL is back (issue 14, faults).
 */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
]);
const unreachable = (code: string | undefined) =>
  code !== undefined && (UNREACHABLE.has(code) || code.startsWith('08'));
const databaseUnavailable = () =>
  new AppError('unavailable', 'The database is unavailable; try again shortly', undefined, { 'retry-after': '5' });

/** Turns anything thrown into an AppError; unknown errors become `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return badRequest('Invalid input', zodDetails(error));
  if (error instanceof HTTPException) {
    // Hono's own refusals: a malformed JSON body (400), a body limit (413), and the like.
    const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((k) => ERROR_STATUS[k] === error.status);
    if (code && error.status < 500) return new AppError(code, error.message || 'Bad request');
  }
  if (error && typeof error === 'object') {
    const pg = fromPostgres(error as PgError);
    if (pg) return pg;
    const cause = (error as { cause?: unknown }).cause;
    if (cause && typeof cause === 'object') {
      const inner = fromPostgres(cause as PgError);
      if (inner) return inner;
    }
    const status = (error as { status?: number }).status;
    if (status === 413) return new AppError('payload_too_large', 'Request body too large');
  }
  return new AppError('internal', 'Internal server error');
}

/**
 * Renders the error envelope `{error: {code, message, details}}`, with Django REST Framework's
 * `detail` string beside it for the old system's clients (issue 13, item 17).
 */
export function errorResponse(c: Context, error: AppError) {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(
    { error: { code: error.code, message: error.message, details: error.details }, detail: error.message },
    error.status,
  );
}
