import { z } from '@hono/zod-openapi';

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

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const errorResponses = {
  401: json(ErrorSchema, 'API key missing (`API Key is missing`) or wrong (`Invalid API Key`)'),
  422: json(ValidationErrorSchema, 'The request does not match the schema; `loc` names the field'),
  500: json(ErrorSchema, 'Unexpected failure; the body never contains SQL, stack traces or keys'),
  503: json(ErrorSchema, 'The database is unavailable or a query timed out; retry after `Retry-After`'),
} as const;

export const jsonResponse = json;
