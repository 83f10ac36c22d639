import type { IngestRow } from '../../db/queries/events';
import type { Config } from '../../env';
import { centralMonthStartBefore, formatCentralIso, parseInstant } from '../../lib/central-time';
import type { ValidationIssue } from '../../lib/errors';
import { AUDIT_FUNCTIONALITY } from '../../lib/self-audit';
import type { EventInput } from './schemas';

/** Events before this are refused: almost certainly a unit mistake (seconds vs milliseconds). */
const EARLIEST_MS = Date.UTC(1970, 0, 2);

/**
 * The oldest instant an event may have (issue 13.5): the start of the Central Time month
 * MAX_EVENT_AGE_MONTHS back, or ARCHIVE_RETENTION_MONTHS back when that is shorter (maintenance
 * would hard-delete anything older). Months in between may get a partition on demand; older ones
 * never do.
 */
export function earliestEventMs(config: Config, nowMs: number): number {
  const archive = config.ARCHIVE_RETENTION_MONTHS;
  const months =
    archive === null
      ? config.MAX_EVENT_AGE_MONTHS
      : Math.min(config.MAX_EVENT_AGE_MONTHS, Math.max(archive, config.RETENTION_MONTHS));
  return Math.max(EARLIEST_MS, centralMonthStartBefore(nowMs, months));
}

/**
 * A schema-valid event -> the row auditevents_ingest takes, or the 422 issues of the checks
 * that need the clock (the future skew). `loc` is prefixed so a batch can name the item.
 */
export function prepareEvent(
  input: EventInput,
  idx: number,
  options: { nowMs: number; maxFutureSkewSeconds: number; earliestMs: number; locPrefix: (string | number)[] },
): { row: IngestRow } | { issues: ValidationIssue[] } {
  if (input.functionality === AUDIT_FUNCTIONALITY) {
    // Only the service writes these (src/lib/self-audit.ts): a caller could otherwise forge the
    // audit of the auditors (issue 13.3).
    return {
      issues: [
        {
          loc: [...options.locPrefix, 'functionality'],
          msg: `'${AUDIT_FUNCTIONALITY}' is reserved for the service's own record of reads and admin actions; it cannot be written through the API`,
          type: 'reserved_functionality',
        },
      ],
    };
  }
  const parsed = parseInstant(input.event_timestamp);
  const loc = [...options.locPrefix, 'event_timestamp'];
  if (!parsed) return { issues: [{ loc, msg: 'Input should be a valid datetime', type: 'datetime_parsing' }] };
  if (parsed.epochMs > options.nowMs + options.maxFutureSkewSeconds * 1000) {
    return {
      issues: [
        {
          loc,
          msg: `event_timestamp is more than ${options.maxFutureSkewSeconds} seconds in the future; check the clock or the time zone`,
          type: 'datetime_future',
        },
      ],
    };
  }
  if (parsed.epochMs < EARLIEST_MS) {
    return { issues: [{ loc, msg: 'event_timestamp must be after 1970-01-01', type: 'datetime_past' }] };
  }
  if (parsed.epochMs < options.earliestMs) {
    return {
      issues: [
        {
          loc,
          msg: `event_timestamp is older than this service keeps events: the oldest accepted is ${formatCentralIso(options.earliestMs)} (MAX_EVENT_AGE_MONTHS, ARCHIVE_RETENTION_MONTHS)`,
          type: 'datetime_too_old',
        },
      ],
    };
  }
  return {
    row: {
      idx,
      ts: new Date(parsed.epochMs).toISOString(),
      functionality: input.functionality,
      event_type: input.event_type,
      store_id: input.store_id ?? null,
      company_id: input.company_id,
      username: input.user ?? null,
      message: input.message,
      status: input.status,
      additional_data: input.additional_data ?? null,
      event_id: input.event_id ?? null,
    },
  };
}

export const unknownNameMessage = (error: 'unknown_functionality' | 'unknown_event_type', row: IngestRow) =>
  error === 'unknown_functionality'
    ? `Unknown functionalityname found: ${row.functionality}`
    : `Unknown eventtypename found: ${row.event_type}`;
