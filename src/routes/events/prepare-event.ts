import type { IngestRow } from '../../db/queries/ingest';
import { parseInstant } from '../../lib/central-time';
import type { ValidationIssue } from '../../lib/errors';
import { AUDIT_FUNCTIONALITY } from '../../lib/self-audit';
import type { EventInput } from './event-input';

/** Events before this are refused: almost certainly a unit mistake (seconds vs milliseconds). */
const EARLIEST_MS = Date.UTC(1970, 0, 2);

/**
 * A schema-valid event -> the row auditevents_ingest takes, or the 422 issues of the checks
 * that need the clock (the future skew). `loc` is prefixed so a batch can name the item.
 */
export function prepareEvent(
  input: EventInput,
  idx: number,
  options: { nowMs: number; maxFutureSkewSeconds: number; locPrefix: (string | number)[] },
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
