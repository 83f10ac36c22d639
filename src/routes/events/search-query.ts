import { z } from '@hono/zod-openapi';
import type { EventFilter, KeysetPosition } from '../../db/queries/events';
import type { Principal } from '../../lib/auth';
import { endOfPrecision } from '../../lib/central-time';
import { checkEpochMicros, pgTimestampToMicros } from '../../lib/epoch-micros';
import { type ValidationIssue, validationError } from '../../lib/errors';
import { DATE_HELP, queryDate } from '../query-dates';
import { IdSchema, limitSchema, WholeNumberSchema } from '../schemas';

const ID_IN_NAME = 'A value made only of digits that is not a known name is read as the id.';
const text = (description: string, example?: string) =>
  z.string().max(200).optional().openapi({ description, example });
const queryId = (description: string) =>
  IdSchema.optional().openapi({ type: 'integer', description, param: { description } });
/** A true/false query flag, in the spellings the old clients send. */
export const booleanFlag = (description: string) =>
  z.enum(['true', 'false', 'True', 'False', '1', '0']).optional().openapi({ description, example: 'false' });

/**
 * The filters of search and export, with the dashboard's alias names. A plain (not strict) object:
 * a parameter no route knows is dropped and named in X-Ignored-Parameters (src/lib/ignored-parameters.ts).
 */
export const FilterQuerySchema = z.object({
  from_date: text(`Events at or after this time. ${DATE_HELP}`, '11-01-2026 00:00:00'),
  to_date: text(
    `Events up to and including this time (a date alone includes that whole day). ${DATE_HELP}`,
    '11-26-2026 23:59:59',
  ),
  functionality: text(`Functionality name, exact. ${ID_IN_NAME}`, 'Authenticate'),
  functionality_name: text(
    `Alias of functionality (sent by the dashboard export, with the FunctionalityID). ${ID_IN_NAME}`,
  ),
  event_type: text(`Event type name, exact. ${ID_IN_NAME}`, 'Login'),
  event_type_name: text(`Alias of event_type (sent by the dashboard export, with the EventTypeID). ${ID_IN_NAME}`),
  company_id: queryId('Company id'),
  store_id: queryId('Store location id'),
  store_location_id: queryId('Alias of store_id (sent by the dashboard export)'),
  user: text('User name, exact', 'jdoe'),
  username: text('Alias of user (sent by the dashboard export)'),
  message_pattern: text('Case-insensitive substring of the message; % and _ are literal characters', 'logged in'),
  status: z.enum(['Success', 'Failed']).optional().openapi({ description: 'Success or Failed' }),
  include_archived: booleanFlag('Also search the archive (events older than the retention window)'),
});

const MAX_PAGE_SIZE = 5000;
const MAX_PAGE_NUMBER = Math.floor(Number.MAX_SAFE_INTEGER / MAX_PAGE_SIZE);

export const SearchQuerySchema = FilterQuerySchema.extend({
  // Capped so that (page_number - 1) * page_size stays an exact integer and a valid OFFSET.
  page_number: WholeNumberSchema.pipe(z.int().min(1).max(MAX_PAGE_NUMBER))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: MAX_PAGE_NUMBER, example: 1 }),
  page_size: limitSchema({ max: MAX_PAGE_SIZE, example: 500 }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: 'next_cursor of the previous page: keyset paging, as fast on page 1000 as on page 1' }),
});

type FilterQuery = z.infer<typeof FilterQuerySchema>;

export const isTrue = (v: string | undefined) => v === 'true' || v === 'True' || v === '1';

/** Canonical name wins; both given with different values is a mistake worth a 422. */
function pick<T>(
  issues: ValidationIssue[],
  name: string,
  alias: string,
  a: T | undefined,
  b: T | undefined,
): T | undefined {
  if (a !== undefined && b !== undefined && a !== b) {
    issues.push({ loc: ['query', alias], msg: `Conflicts with ${name}; send one of them`, type: 'value_error' });
  }
  return a ?? b;
}

/** Validated query -> the filter the queries take. Dates that do not parse are a 422, never ignored. */
export function toEventFilter(q: FilterQuery, principal: Principal): EventFilter {
  const issues: ValidationIssue[] = [];
  const from = queryDate(q, 'from_date', issues);
  const to = queryDate(q, 'to_date', issues);
  const filter: EventFilter = {
    fromMs: from?.epochMs,
    toExclusiveMs: to ? endOfPrecision(to) : undefined,
    functionality: pick(issues, 'functionality', 'functionality_name', q.functionality, q.functionality_name),
    eventType: pick(issues, 'event_type', 'event_type_name', q.event_type, q.event_type_name),
    companyId: q.company_id,
    storeId: pick(issues, 'store_id', 'store_location_id', q.store_id, q.store_location_id),
    user: pick(issues, 'user', 'username', q.user, q.username),
    messagePattern: q.message_pattern === '' ? undefined : q.message_pattern,
    status: q.status,
    includeArchived: isTrue(q.include_archived),
    companies: principal.companies,
  };
  if (filter.fromMs !== undefined && filter.toExclusiveMs !== undefined && filter.fromMs >= filter.toExclusiveMs) {
    issues.push({ loc: ['query', 'to_date'], msg: 'to_date must be after from_date', type: 'value_error' });
  }
  if (issues.length > 0) throw validationError(issues);
  return filter;
}

/** Opaque keyset cursor: where the page ended and which page comes next. */
export interface Cursor extends KeysetPosition {
  page: number;
}

/**
 * base64url of [epoch microseconds (decimal text), id, page]. Cursors made before issue 13.6
 * carried PostgreSQL's timestamp text instead of the microseconds; they are still read, through
 * a strict parser, so a page open in a dashboard across the upgrade keeps paging.
 */
export function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify([cursor.micros, cursor.id, cursor.page]))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const positionMicros = (ts: string) => checkEpochMicros(ts) ?? pgTimestampToMicros(ts);

/** The cursor, or a 422: whatever a client sends here never reaches the database unchecked. */
export function decodeCursor(text: string): Cursor {
  try {
    const decoded = JSON.parse(atob(text.replace(/-/g, '+').replace(/_/g, '/'))) as unknown;
    if (Array.isArray(decoded) && decoded.length === 3) {
      const [ts, id, page] = decoded as unknown[];
      const micros = typeof ts === 'string' ? positionMicros(ts) : null;
      const valid =
        micros !== null &&
        Number.isSafeInteger(id) &&
        (id as number) >= 0 &&
        Number.isSafeInteger(page) &&
        (page as number) >= 1 &&
        (page as number) <= MAX_PAGE_NUMBER;
      if (valid) return { micros, id: id as number, page: page as number };
    }
  } catch {
    // fall through to the 422
  }
  throw validationError([
    {
      loc: ['query', 'cursor'],
      msg: 'Invalid cursor; pass next_cursor from a previous page unchanged',
      type: 'value_error',
    },
  ]);
}
