import { z } from '@hono/zod-openapi';
import type { EventRow } from '../db/queries/events';
import { centralTimesOf } from './central-hour-format';

/** The event object of every `events` array (the old service's shape: README, Compatibility). */
export const EventSchema = z
  .object({
    Id: z.number().int().openapi({ example: 1042 }),
    EventTimestamp: z
      .string()
      .openapi({ description: 'Central Time, MM-DD-YYYY HH:MM:SS', example: '11-20-2026 10:00:00' }),
    EventTimestampISO: z
      .string()
      .openapi({ description: 'ISO 8601 with the Central Time offset', example: '2026-11-20T10:00:00.000-06:00' }),
    Functionality: z.string().openapi({ example: 'Authenticate' }),
    EventType: z.string().openapi({ example: 'Login' }),
    StoreLocationID: z.number().int().nullable().openapi({ example: 101 }),
    StoreName: z.string().nullable().openapi({ example: 'Downtown' }),
    CompanyId: z.number().int().openapi({ example: 5001 }),
    CompanyName: z.string().nullable().openapi({ example: 'Acme Retail' }),
    UserName: z.string().nullable().openapi({ example: 'jdoe' }),
    Message: z.string().openapi({ example: 'User logged in successfully' }),
    Status: z.string().openapi({ example: 'Success' }),
    AdditionalData: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { ip: '192.168.1.10', browser: 'Chrome' } }),
  })
  .openapi('AuditEvent');

export type EventObject = z.infer<typeof EventSchema>;

export function toEventObject(row: EventRow): EventObject {
  const times = centralTimesOf(row.eventTimestamp);
  return {
    Id: row.id,
    EventTimestamp: times.display,
    EventTimestampISO: times.iso,
    Functionality: row.functionality,
    EventType: row.eventType,
    StoreLocationID: row.storeLocationId,
    StoreName: row.storeName,
    CompanyId: row.companyId,
    CompanyName: row.companyName,
    UserName: row.username,
    Message: row.message,
    Status: row.status,
    AdditionalData: (row.additionalData as Record<string, unknown> | null) ?? null,
  };
}
