import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env';
import { isTransient } from '../db/transient-retry';

/** One item of FastAPI's 422 list. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * The one error type of the service. `detail` is FastAPI's field (a string, or the 422 list);
 * `extra` adds fields some routes keep for old clients (StatusCode, message).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | ValidationIssue[],
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Validation error');
  }
}

export const badRequest = (message: string) => new HttpError(400, message, { StatusCode: 400, message });
export const unauthorized = (detail: string) => new HttpError(401, detail);
export const forbidden = (detail: string) => new HttpError(403, detail);
export const notFound = () => new HttpError(404, 'Not Found');
export const validationError = (issues: ValidationIssue[]) => new HttpError(422, issues);
export const unavailable = (detail: string, retryAfterSeconds = 5) =>
  new HttpError(503, detail, {}, { 'Retry-After': String(retryAfterSeconds) });

/** PostgreSQL error codes that mean "the database is not there right now", not "a bug". */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);
const TIMEOUT_CODES = new Set(['57014']);

/** Connection failures surface from drivers as plain errors; recognise them without leaking text. */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  // "belongs to an object that is closing": workerd's socket stream, closed under the driver
  // while it writes (the server dropped the connection); a TypeError, but a lost connection.
  return /ECONNREFUSED|ECONNRESET|connect|Connection terminated|socket|closed|closing|timeout expired|network/i.test(
    error.message,
  );
}

/**
 * What to log about a failure: the error class and the database's own code and message. drizzle
 * wraps driver errors in one whose message holds the SQL text and parameters (user data), so
 * only the cause is described.
 */
export function describeError(error: unknown): Record<string, unknown> {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const { code, message } = (cause ?? {}) as { code?: string; message?: string };
  return {
    error: error instanceof Error ? error.name : typeof error,
    code,
    cause: code ? message : cause instanceof Error ? cause.name : undefined,
  };
}

/** Maps anything thrown to an HttpError; unknown errors become a 500 that reveals nothing. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new HttpError(413, error.message || 'Request body too large');
    return new HttpError(error.status, error.message || 'Bad request');
  }
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  const code = (cause as { code?: string } | undefined)?.code;
  if (code && TIMEOUT_CODES.has(code)) {
    return new HttpError(
      503,
      'The query took too long and was cancelled; narrow the filters and retry',
      {},
      {
        'Retry-After': '5',
      },
    );
  }
  // A deadlock or serialization failure that outlived its retries: a race, not a bug (issue 13.11).
  if (isTransient(cause)) return unavailable('Conflicting concurrent writes; retry', 1);
  // 55P03: a new month's partition could not get its lock in time (a long query held the table).
  if (code === '55P03') return unavailable('The table is busy; a new month could not be prepared. Retry shortly', 2);
  if (isConnectionFailure(cause)) return unavailable('Database unavailable; retry later');
  return new HttpError(500, 'Internal Server Error');
}

export function errorResponse(c: Context<AppEnv>, error: HttpError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json({ ...error.extra, detail: error.detail }, error.status as 400);
}
