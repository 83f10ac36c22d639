import { z } from '@hono/zod-openapi';
import { hasControlChars, hasNul, isBlank, isWellFormed } from '../../lib/text-rules';
import { errorResponse, IdSchema } from '../schemas';

/** Shapes of the catalogue and directory admin routes (README, Routes). */

export const ADMIN_CATALOGUE_TAGS = ['Admin: catalogue and directory'];
const MAX_EVENT_TYPES = 100;

/** The 403 of the catalogue routes, which no key limited to companies may change. */
export const notAdminResponse = errorResponse('The calling key lacks admin, or is limited to companies');
/** The 403 of the directory routes, which a key limited to companies may call for its own companies. */
export const notThisCompanyResponse = errorResponse('The calling key lacks admin, or may not change this company');

/** A name the dashboard shows: the column's length, storable, visible, no control characters. */
export const displayName = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !hasNul(v) && isWellFormed(v), 'Value must be valid Unicode without NUL characters')
    .refine((v) => !hasControlChars(v), 'Value must not contain control characters')
    .refine((v) => !isBlank(v), 'String should not be blank')
    .refine((v) => v === v.trim(), 'Value must not start or end with spaces');

export const EventTypeNames = z
  .array(displayName(100))
  .max(MAX_EVENT_TYPES)
  .refine((names) => new Set(names).size === names.length, 'Event type names must not repeat');

export const EventTypeSchema = z.object({ EventTypeID: z.number().int(), EventTypeName: z.string() });

/** The body of a directory upsert: the name to store. */
export const NameBody = z.strictObject({ name: displayName(200).openapi({ example: 'Acme Retail' }) });

export const idParam = (name: string, example: number) =>
  IdSchema.openapi({ type: 'integer', param: { name, in: 'path' }, example });

/** The answers of a directory upsert: 200 renamed, 201 added, with the same fields. */
export function upsertAnswerSchemas<F extends z.ZodRawShape>(name: string, fields: F) {
  const answer = <S extends 200 | 201>(status: S, suffix: string) =>
    z.object({ StatusCode: z.literal(status), message: z.string(), ...fields }).openapi(`${name}${suffix}`);
  return { renamed: answer(200, 'Updated'), added: answer(201, 'Created') };
}
