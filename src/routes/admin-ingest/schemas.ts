import { z } from '@hono/zod-openapi';
import type { DeadLetterRow } from '../../db/queries/admin-ingest';

/** Shapes of the queued-ingest admin routes (docs/queued-ingest.md). */

export const INGEST_ADMIN_TAGS = ['Admin: queued ingest'];

export const StatusSchema = z
  .object({
    mode: z.enum(['direct', 'queue']).openapi({ description: 'INGEST_MODE: whether create and batch enqueue too' }),
    queue_bound: z.boolean().openapi({ description: 'false under npm run serve: enqueue writes directly' }),
    tracker: z
      .object({
        backlog: z.number().int().openapi({ description: 'Accepted events not yet stored or dead-lettered' }),
        oldest_enqueued_at: z.string().nullable(),
        oldest_age_seconds: z.number().nullable(),
        enqueued: z.number().int(),
        stored: z.number().int(),
        dead_lettered: z.number().int(),
        forgotten: z.number().int().openapi({ description: 'Entries dropped after 15 days without news' }),
      })
      .nullable()
      .openapi({ description: 'null when the tracker did not answer or is not bound' }),
    dead_letters: z
      .object({ pending: z.number().int(), oldest_failed_at: z.string().nullable() })
      .nullable()
      .openapi({ description: 'null when the database did not answer' }),
  })
  .openapi('IngestStatus');

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    company_id: z.number().int().nullable(),
    event_id: z.string().nullable(),
    message_id: z.string().nullable(),
    event: z.unknown().openapi({ description: 'The event as enqueued (or the whole malformed message)' }),
    reason: z.string().openapi({
      description: 'unknown_functionality, unknown_event_type, rejected_by_database or malformed_message',
    }),
    detail: z.string(),
    enqueued_at: z.string().nullable(),
    first_failed_at: z.string(),
    last_failed_at: z.string(),
    failures: z.number().int(),
    replayed_at: z.string().nullable(),
    replayed_id: z.number().int().nullable(),
  })
  .openapi('IngestDeadLetter');

const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString());
export const toDeadLetterObject = (r: DeadLetterRow) => ({
  ...r,
  enqueued_at: iso(r.enqueued_at),
  first_failed_at: new Date(r.first_failed_at).toISOString(),
  last_failed_at: new Date(r.last_failed_at).toISOString(),
  replayed_at: iso(r.replayed_at),
});
