import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../lib/api-keys';

/** The OpenAPI tag of every route of the area. */
export const WHOAMI_TAGS = ['Keys'];

export const WhoamiSchema = z
  .object({
    StatusCode: z.literal(200),
    name: z.string().openapi({ example: 'support-dashboard' }),
    scopes: z.array(z.enum(SCOPES)),
    companies: z
      .array(z.number().int())
      .nullable()
      .openapi({ description: 'Companies the key may read and write; null = every company' }),
    source: z
      .enum(['legacy', 'database'])
      .openapi({ description: 'legacy = a key of the API_KEYS secret; database = an issued pak_ key' }),
    prefix: z
      .string()
      .nullable()
      .openapi({ description: 'The public prefix of an issued key (never the secret); null for legacy keys' }),
  })
  .openapi('Whoami');
