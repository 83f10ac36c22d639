import { z } from '@hono/zod-openapi';

/**
 * The shapes every area shares, declared once: the error bodies, ids and limits, the `Data` /
 * `events` list envelopes. An area's own shapes live in its `schemas.ts`.
 */

/** FastAPI-shaped error bodies, declared once and spread into every route's responses. */
export const ErrorSchema = z.object({ detail: z.string().openapi({ example: 'Invalid API Key' }) }).openapi('Error');

export const ValidationErrorSchema = z
  .object({
    detail: z.array(
      z.object({
        loc: z.array(z.union([z.string(), z.number()])),
        msg: z.string(),
        type: z.string(),
      }),
    ),
  })
  .openapi('ValidationError', {
    example: {
      detail: [{ loc: ['body', 'user'], msg: 'String should have at most 20 characters', type: 'string_too_long' }],
    },
  });

/** A JSON response of a route: its schema and what it means. */
export const jsonResponse = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Several answers with one JSON schema, each with what it means: `{ 201: 'Stored', 207: 'Some refused' }`. */
export const jsonResponses = <C extends number>(schema: z.ZodType, descriptions: Record<C, string>) =>
  Object.fromEntries(
    Object.entries<string>(descriptions).map(([code, description]) => [code, jsonResponse(schema, description)]),
  ) as Record<C, ReturnType<typeof jsonResponse>>;

/** A required JSON request body of this schema. */
export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true as const,
  content: { 'application/json': { schema } },
});

/** A `{ detail }` error response (ErrorSchema) with what it means for this route. */
export const errorResponse = (description: string) => jsonResponse(ErrorSchema, description);

export const errorResponses = {
  401: errorResponse('API key missing (`API Key is missing`) or wrong (`Invalid API Key`)'),
  422: jsonResponse(ValidationErrorSchema, 'The request does not match the schema; `loc` names the field'),
  500: errorResponse('Unexpected failure; the body never contains SQL, stack traces or keys'),
  503: errorResponse('The database is unavailable or a query timed out; retry after `Retry-After`'),
} as const;

/**
 * The usual answers of a route: 200 with this schema, the route's own other answers (`own`, which
 * win over the common ones: a route may describe its 503 better), and the errors every route has.
 */
export const okResponses = <O extends Record<number, ReturnType<typeof jsonResponse>> = Record<never, never>>(
  schema: z.ZodType,
  description: string,
  own?: O,
) => ({ 200: jsonResponse(schema, description), ...errorResponses, ...(own as O) });

/**
 * A whole number from JSON or from query text: a number, or a string of digits as pydantic
 * accepted. Numeric strings of any sign and size are read as numbers, so `-1`, `1.5` or twenty
 * digits are told what is wrong with them (negative, not whole, too large) rather than "not a
 * number".
 */
export const WholeNumberSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.length <= 32 && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v),
  z.int().min(0).max(Number.MAX_SAFE_INTEGER),
);

/** An id column (bigint): a whole number (WholeNumberSchema). */
export const IdSchema = WholeNumberSchema;

/** How many rows a query parameter asks for: a whole number from 1 to `max` (optional: the handler has a default). */
export const limitSchema = ({ max, example, description }: { max: number; example?: number; description?: string }) =>
  WholeNumberSchema.pipe(z.int().min(1).max(max))
    .optional()
    .openapi({ type: 'integer', minimum: 1, maximum: max, example, description });

/** The envelope of the old service's lists: `StatusCode`, `message`, `count` and the rows under `key`. */
export const listEnvelopeSchema = <K extends 'events' | 'Data', T extends z.ZodType>(name: string, key: K, item: T) =>
  z
    .object({
      StatusCode: z.literal(200),
      message: z.string().openapi({ example: 'Data fetched successfully' }),
      count: z.number().int(),
      [key]: z.array(item),
    })
    .openapi(name);

/** The message of a list answer: the old service's words for some rows and for none. */
export const listMessage = (count: number) => (count > 0 ? 'Data fetched successfully' : 'Data not found');

/** A list answer in the old service's envelope (listEnvelopeSchema). */
export const listEnvelope = <K extends 'events' | 'Data', T>(key: K, rows: T[]) =>
  ({ StatusCode: 200 as const, message: listMessage(rows.length), count: rows.length, [key]: rows }) as {
    StatusCode: 200;
    message: string;
    count: number;
  } & Record<K, T[]>;
