import { z } from 'zod';
import type { IngestRow } from '../db/queries/events';

/**
 * The body of one message on the ingest queue: events already validated and resolved by the
 * producer (timestamps as UTC ISO text, every event with an event_id), packed many to a message
 * so a 1,000-event batch is a handful of messages, not a thousand (Queues bills and rate-limits
 * per message). The consumer checks the shape again: a message from an older or newer version
 * of the Worker must never be half-read.
 */
export const QueuedEventSchema = z.object({
  ts: z.string(),
  functionality: z.string(),
  event_type: z.string(),
  store_id: z.number().int().nullable(),
  company_id: z.number().int(),
  username: z.string().nullable(),
  message: z.string(),
  status: z.enum(['Success', 'Failed']),
  // Kept as parsed: z.record would copy it and lose a "__proto__" key (see event-input.ts).
  additional_data: z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))
    .nullable(),
  event_id: z.uuid(),
});

export type QueuedEvent = z.infer<typeof QueuedEventSchema>;

export const IngestMessageSchema = z.object({
  v: z.literal(1),
  /** When the producer accepted these events (ISO): the status route's backlog age starts here. */
  enqueued_at: z.string(),
  events: z.array(QueuedEventSchema).min(1),
});

export type IngestMessage = z.infer<typeof IngestMessageSchema>;

/**
 * Queues' limits (developers.cloudflare.com/queues/platform/limits): 128 KB a message including
 * about 100 bytes of metadata, and a sendBatch of at most 100 messages and 256 KB. The margins
 * cover the metadata and the difference between our JSON byte count and the broker's.
 */
export const MESSAGE_MAX_BYTES = 120_000;
export const SEND_BATCH_MAX_MESSAGES = 100;
export const SEND_BATCH_MAX_BYTES = 240_000;
/** Events per message at most, so the consumer can group whole messages into 1,000-event statements. */
export const MESSAGE_MAX_EVENTS = 250;

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/** The key the status tracker knows an event by (src/ingest/tracker-object.ts). */
export const trackingKey = (event: { company_id: number; event_id: string | null }) =>
  `${event.company_id}:${event.event_id}`;

/** An ingest row (validated by prepareEvent) as it travels, with its event_id fixed. */
export function toQueuedEvent(row: IngestRow, eventId: string): QueuedEvent {
  const { idx: _idx, event_id: _eventId, ...rest } = row;
  return { ...rest, event_id: eventId };
}

/**
 * Packs events into messages under MESSAGE_MAX_BYTES and MESSAGE_MAX_EVENTS, in order. One event
 * is at most ~50 KB (a 10,000-character message and 16 KB of additional_data), so it always fits.
 */
export function packMessages(events: QueuedEvent[], enqueuedAt: string): { body: IngestMessage; bytes: number }[] {
  const envelope = jsonBytes({ v: 1, enqueued_at: enqueuedAt, events: [] });
  const out: { body: IngestMessage; bytes: number }[] = [];
  let current: QueuedEvent[] = [];
  let bytes = envelope;
  for (const event of events) {
    const size = jsonBytes(event);
    // +1: the comma before every event but the first of a message.
    if (current.length > 0 && (bytes + size + 1 > MESSAGE_MAX_BYTES || current.length >= MESSAGE_MAX_EVENTS)) {
      out.push({ body: { v: 1, enqueued_at: enqueuedAt, events: current }, bytes });
      current = [];
      bytes = envelope;
    }
    if (envelope + size > MESSAGE_MAX_BYTES) throw new Error('one event is larger than a queue message');
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(event);
  }
  if (current.length > 0) out.push({ body: { v: 1, enqueued_at: enqueuedAt, events: current }, bytes });
  return out;
}

/** Groups messages into sendBatch calls under SEND_BATCH_MAX_MESSAGES and SEND_BATCH_MAX_BYTES. */
export function sendBatches<T extends { bytes: number }>(messages: T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (
      current.length > 0 &&
      (current.length >= SEND_BATCH_MAX_MESSAGES || bytes + message.bytes > SEND_BATCH_MAX_BYTES)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
