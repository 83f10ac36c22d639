import { z } from '@hono/zod-openapi';

export const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'unhealthy']),
    message: z.string(),
    database: z.enum(['ok', 'unreachable']),
    detail: z.string().optional(),
  })
  .openapi('Health');
