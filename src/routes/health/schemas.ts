import { z } from '@hono/zod-openapi';

/** The OpenAPI tag of every route of the area. */
export const HEALTH_TAGS = ['Health'];

export const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    message: z.string(),
    database: z.enum(['ok', 'unreachable']),
    detail: z.string().optional(),
  })
  .openapi('Health');
