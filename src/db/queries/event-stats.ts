import { and, sql } from 'drizzle-orm';
import { CENTRAL_TZ } from '../../lib/central-time';
import type { Database } from '../client';
import { auditEvents, auditEventsAll } from '../schema';
import { conditions, type EventFilter } from './events';

export type StatsBucket = 'hour' | 'day';

export interface StatsRow {
  /** Start of the bucket, epoch milliseconds. */
  startMs: number;
  success: number;
  failed: number;
}

type EventSource = typeof auditEvents;

/**
 * Events per bucket, split Success/Failed, for the search filters (same conditions, so the same
 * indexes and the same tenant scoping as search). Buckets are Central Time: a day is a Central
 * calendar day (23 or 25 hours on DST days, date_trunc with the zone); an hour is truncated in
 * UTC, which is the same boundary because Central offsets are whole hours, and keeps the two
 * 01:00 hours of the autumn change apart. Only buckets with events are returned.
 */
export async function eventCountsByBucket(db: Database, filter: EventFilter, bucket: StatsBucket): Promise<StatsRow[]> {
  const src = (filter.includeArchived ? auditEventsAll : auditEvents) as unknown as EventSource;
  const start =
    bucket === 'day'
      ? sql`date_trunc('day', ${src.eventTimestamp}, ${CENTRAL_TZ}::text)`
      : sql`date_trunc('hour', ${src.eventTimestamp} AT TIME ZONE 'UTC')`;
  // Epoch milliseconds as text: exact, and no time zone text for the driver to interpret.
  const startMs =
    bucket === 'day'
      ? sql<string>`(extract(epoch FROM ${start}) * 1000)::bigint::text`
      : sql<string>`(extract(epoch FROM ${start} AT TIME ZONE 'UTC') * 1000)::bigint::text`;
  const rows = await db
    .select({
      startMs,
      success: sql<string>`count(*) FILTER (WHERE ${src.status} = 'Success')`,
      failed: sql<string>`count(*) FILTER (WHERE ${src.status} = 'Failed')`,
    })
    .from(src)
    .where(and(...conditions(src, filter)))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  return rows.map((r) => ({ startMs: Number(r.startMs), success: Number(r.success), failed: Number(r.failed) }));
}
