import { z } from '@hono/zod-openapi';
import { parseInstant } from '../../lib/central-time';
import { HttpError } from '../../lib/errors';
import {
  checkJsonObject,
  hasControlChars,
  hasControlCharsExceptWhitespace,
  hasNul,
  isBlank,
  isWellFormed,
} from '../../lib/text-rules';
import { errorResponse, IdSchema } from '../schemas';

/** The OpenAPI tag of every route of the area. */
export const EVENTS_TAGS = ['Audit events'];

/** Shapes of the events routes: the create and batch bodies and their limits (the event object: src/lib/event-object.ts). */

export const ADDITIONAL_DATA_MAX_BYTES = 16_384;
export const ADDITIONAL_DATA_MAX_DEPTH = 8;
export const MESSAGE_MAX_CHARS = 10_000;
export const BATCH_MAX_EVENTS = 1000;

/** More than BATCH_MAX_EVENTS (batch, enqueue): checked by the handler, so a 413 and not a 422. */
export const batchTooLargeResponse = errorResponse(`More than ${BATCH_MAX_EVENTS} events, or body too large`);
export const batchTooLarge = (count: number) =>
  new HttpError(413, `A batch holds at most ${BATCH_MAX_EVENTS} events; this one has ${count}`);

const storableText = (s: z.ZodString) =>
  s
    .refine((v) => !hasNul(v), 'Value must not contain NUL characters (\\u0000)')
    .refine(isWellFormed, 'Value must be valid Unicode (no unpaired surrogates)');

const catalogueName = storableText(z.string().min(1).max(100)).refine(
  (v) => !hasControlChars(v),
  'Value must not contain control characters',
);

/**
 * A JSON object, kept exactly as parsed. z.record would copy it key by key, and the copy loses a
 * "__proto__" key (assigning it sets the prototype): a silent change of stored data.
 */
const JsonObjectSchema = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
    error: 'Input should be a valid dictionary',
  })
  .openapi({ type: 'object', additionalProperties: true });

/**
 * The create body. A plain (not strict) object: the old service ignored fields it did not know,
 * and a posting system that sends one would otherwise lose every event. zod drops them; the
 * route names them in ignored_fields and X-Ignored-Parameters (issue 11.3, unknownFieldsOf).
 */
export const EventInputSchema = z
  .object({
    event_timestamp: z
      .string()
      .max(64)
      .refine(
        (v) => parseInstant(v) !== null,
        'Input should be a valid ISO 8601 datetime, e.g. 2026-11-20T10:00:00Z (no offset = Central Time)',
      )
      .openapi({ example: '2025-09-25T10:30:00Z' }),
    functionality: catalogueName.openapi({ example: 'Authenticate' }),
    event_type: catalogueName.openapi({ example: 'Login' }),
    store_id: IdSchema.nullable().optional().openapi({ type: 'integer', example: 101 }),
    company_id: IdSchema.openapi({ type: 'integer', example: 5001 }),
    user: storableText(z.string().min(1).max(20))
      .refine((v) => !isBlank(v), 'String should not be blank')
      .refine((v) => !hasControlChars(v), 'Value must not contain control characters')
      .nullable()
      .optional()
      .openapi({ example: 'jdoe' }),
    message: storableText(z.string().min(1).max(MESSAGE_MAX_CHARS))
      .refine((v) => !isBlank(v), 'String should not be blank')
      .refine(
        (v) => !hasControlCharsExceptWhitespace(v),
        'Value must not contain control characters other than tab and newline',
      )
      .openapi({ example: 'User logged in successfully' }),
    // The old service stored a null or empty status as Success, and posting systems send both.
    status: z
      .preprocess((v) => (v === null || v === '' ? undefined : v), z.enum(['Success', 'Failed']).default('Success'))
      .openapi({
        type: ['string', 'null'],
        enum: ['Success', 'Failed', '', null],
        description: 'Success (default: also for null or "") or Failed',
        example: 'Success',
      }),
    additional_data: JsonObjectSchema.superRefine((value, ctx) => {
      const check = checkJsonObject(value, ADDITIONAL_DATA_MAX_DEPTH, ADDITIONAL_DATA_MAX_BYTES);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: `additional_data ${check.reason}` });
    })
      .nullable()
      .optional()
      .openapi({ type: ['object', 'null'], example: { ip: '192.168.1.10', browser: 'Chrome' } }),
    event_id: z.uuid().nullable().optional().openapi({
      description:
        'Optional client-chosen UUID (null = not given), scoped to the company. Sending the same event_id again for the same company returns the original id (duplicate: true) and stores nothing new.',
      example: '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
    }),
  })
  .openapi('AuditEventCreate');

export type EventInput = z.infer<typeof EventInputSchema>;

/** The keys of a create body that EventInputSchema does not know (own keys only, so `__proto__` counts). */
export function unknownFieldsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  return Object.keys(body).filter((key) => !Object.hasOwn(EventInputSchema.shape, key));
}

/** Fields of a create body that were ignored; present in an answer only when there were some. */
export const IgnoredFieldsSchema = z
  .array(z.string())
  .optional()
  .openapi({
    description:
      'Body fields the service does not know: ignored (the event is stored without them), as the old service did. Also named in the X-Ignored-Parameters header.',
    example: ['terminal_id'],
  });

export const BatchInputSchema = z
  .strictObject({
    // The limit is checked by the handler: past it is a 413, not a 422.
    events: z
      .array(z.unknown())
      .min(1)
      .openapi({
        maxItems: BATCH_MAX_EVENTS,
        description: `1 to ${BATCH_MAX_EVENTS} events, each shaped like the create body (unknown fields of an item are ignored and named in its result's ignored_fields). The envelope itself is strict: a key other than events is a 422.`,
        items: { $ref: '#/components/schemas/AuditEventCreate' },
      }),
  })
  .openapi('AuditEventBatch');
