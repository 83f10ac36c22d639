import { canonicalAfterId, utcInstantOfIso } from './canonical.ts';

/** What the ingest statement stores of an event (IngestRow, src/db/queries/events/ingest.ts, adds its place in the statement). */
export interface IngestedFields {
  ts: string;
  functionality: string;
  event_type: string;
  store_id: number | null;
  company_id: number;
  username: string | null;
  message: string;
  status: string;
  additional_data: unknown;
  event_id: string | null;
}

/** The instants prepareEvent writes: UTC, milliseconds (new Date(ms).toISOString()). */
const MILLISECOND_UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** uuid's output form; z.uuid() also lets upper case through, which PostgreSQL prints lowered. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Between the texts of a statement's events (sql/functions/ingest.sql): U+001E, a control
 * character, which a canonical text only ever holds escaped (as \u001e inside a JSON string).
 */
export const CANONICAL_TEXT_SEPARATOR = '\u001e';

const isBigintText = (v: number | null) => v === null || Number.isSafeInteger(v);

/**
 * The canonical encoding of an ingest row from the element after its id (docs/integrity.md,
 * "Where the text is built"): the ingest statement only puts the id in front and hashes, which
 * takes ~3.8 us an event of text building out of the database (issue 14: ingest with hashing
 * within 10% of without). Built from the very values the row sends, so it is the text the
 * database would build from what it stores (test/integrity/ingest-canonical.test.ts compares
 * the two over every kind of value). null where the row holds something this does not vouch for
 * (an instant in another form, an integer beyond 2^53, a non-JSON value): the statement then
 * builds the text itself, as for any caller that sends none.
 */
export function ingestCanonicalAfterId(row: IngestedFields): string | null {
  if (!MILLISECOND_UTC_INSTANT.test(row.ts)) return null;
  if (!isBigintText(row.company_id) || !isBigintText(row.store_id)) return null;
  if (row.event_id !== null && !UUID.test(row.event_id)) return null;
  try {
    return canonicalAfterId({
      companyId: row.company_id,
      utcInstant: utcInstantOfIso(row.ts),
      functionality: row.functionality,
      eventType: row.event_type,
      storeId: row.store_id,
      username: row.username,
      message: row.message,
      status: row.status,
      additionalData: row.additional_data,
      eventId: row.event_id === null ? null : row.event_id.toLowerCase(),
    });
  } catch {
    return null;
  }
}

/**
 * The two arguments of auditevents_ingest (sql/functions/ingest.sql) for these rows: the rows as
 * JSON, and each row's canonical text after its id, in row order, an empty one for a row without.
 * The Worker's ingest (src/db/queries/events/ingest.ts) and the benchmarks call the statement so.
 */
export function ingestStatementArguments(rows: readonly IngestedFields[]): { events: string; canonical: string } {
  return {
    events: JSON.stringify(rows),
    canonical: rows.map((row) => ingestCanonicalAfterId(row) ?? '').join(CANONICAL_TEXT_SEPARATOR),
  };
}
