import { z } from '@hono/zod-openapi';
import { listDeadLetters } from '../../db/queries/admin-ingest';
import { defineRoute } from '../define-route';
import { errorResponses, jsonResponse } from '../schemas';
import { DeadLetterSchema, INGEST_ADMIN_TAGS, toDeadLetterObject } from './schemas';

export const deadLettersRoute = defineRoute(
  {
    operationId: 'listDeadLetters',
    scope: 'admin',
    audit: 'Admin action',
    route: 'GET /admin/ingest/dead-letters',
    tags: INGEST_ADMIN_TAGS,
    summary: 'Events the queue consumer could not store, with the reason',
    description:
      'Newest first; replayed ones only with include_replayed=true. Page with before_id = the last id of the previous page.',
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(500).default(100),
        before_id: z.coerce.number().int().min(1).optional(),
        include_replayed: z.enum(['true', 'false']).default('false'),
      }),
    },
    responses: {
      200: jsonResponse(
        z.object({
          StatusCode: z.literal(200),
          count: z.number().int(),
          dead_letters: z.array(DeadLetterSchema),
          next_before_id: z.number().int().nullable(),
        }),
        'Dead letters, newest first',
      ),
      ...errorResponses,
    },
  },
  async (c) => {
    const query = c.req.valid('query');
    const rows = await listDeadLetters(c.var.database().db, {
      limit: query.limit,
      beforeId: query.before_id ?? null,
      includeReplayed: query.include_replayed === 'true',
    });
    return c.json(
      {
        StatusCode: 200 as const,
        count: rows.length,
        dead_letters: rows.map(toDeadLetterObject),
        next_before_id: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
      },
      200,
    );
  },
);
