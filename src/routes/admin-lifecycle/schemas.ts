import { z } from '@hono/zod-openapi';
import type { MaintenanceRun, PartitionInfo } from '../../db/queries/admin-lifecycle';
import { centralToday, centralWallClockToEpoch, formatCentral, pgTimestampToEpoch } from '../../lib/central-time';
import { limitSchema } from '../schemas';

/** Shapes of the lifecycle admin routes (partitions, maintenance runs) and their row mappers. */

export const LIFECYCLE_TAGS = ['Admin: data lifecycle'];

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (text: string | null) => (text === null ? null : iso(pgTimestampToEpoch(text)));

export const MaintenanceRunSchema = z
  .object({
    id: z.number().int(),
    job: z.enum(['maintain', 'partitions']).openapi({ description: 'maintain = monthly archival; partitions = daily' }),
    trigger: z.string().openapi({ description: 'cron, admin (this API) or sql (psql)', example: 'cron' }),
    status: z.enum(['ok', 'failed', 'skipped']).openapi({
      description: 'skipped: another maintenance held the lock; failed: rolled back, see error',
    }),
    started_at: z.string().openapi({ example: '2026-12-01T02:00:00.412Z' }),
    finished_at: z.string().nullable(),
    duration_ms: z.number().int().nullable(),
    months_archived: z.number().int(),
    rows_archived: z.number().int(),
    archive_partitions_dropped: z.number().int(),
    partitions_created: z.number().int(),
    details: z.record(z.string(), z.unknown()).nullable().openapi({
      description:
        'cutoff, archived months with their row counts, dropped archive months, locked_ms (how long the live table was locked), lock_attempts',
    }),
    error: z.string().nullable(),
  })
  .openapi('MaintenanceRun');

export function toRunObject(run: MaintenanceRun): z.infer<typeof MaintenanceRunSchema> {
  const started = pgTimestampToEpoch(run.startedAt);
  const finished = run.finishedAt === null ? null : pgTimestampToEpoch(run.finishedAt);
  return {
    id: run.id,
    job: run.job as 'maintain' | 'partitions',
    trigger: run.runTrigger,
    status: run.status as 'ok' | 'failed' | 'skipped',
    started_at: iso(started),
    finished_at: isoOrNull(run.finishedAt),
    duration_ms: finished === null ? null : Math.round(finished - started),
    months_archived: run.monthsArchived,
    rows_archived: run.rowsArchived,
    archive_partitions_dropped: run.archivePartitionsDropped,
    partitions_created: run.partitionsCreated,
    details: (run.details as Record<string, unknown> | null) ?? null,
    error: run.error,
  };
}

const PartitionSchema = z
  .object({
    parent: z.enum(['auditevents', 'auditevents_archival']),
    partition: z.string().openapi({ example: 'auditevents_y2026m11' }),
    month: z.string().openapi({ description: 'The Central Time month, YYYY-MM', example: '2026-11' }),
    archived: z.boolean(),
    range_from: z.string().openapi({ description: 'First instant (inclusive)', example: '2026-11-01T05:00:00.000Z' }),
    range_to: z.string().openapi({ description: 'End (exclusive)', example: '2026-12-01T06:00:00.000Z' }),
    range_from_central: z.string().openapi({ example: '11-01-2026 00:00:00' }),
    range_to_central: z.string().openapi({ example: '12-01-2026 00:00:00' }),
    rows: z.number().int(),
    rows_exact: z.boolean().openapi({
      description: 'false: the planner estimate of a large partition (ask with exact=true for a count)',
    }),
    total_bytes: z.number().int().openapi({ description: 'Table, indexes and TOAST' }),
  })
  .openapi('Partition');

const TotalsSchema = z.object({
  partitions: z.number().int(),
  rows: z.number().int(),
  rows_exact: z.boolean(),
  total_bytes: z.number().int(),
});

export const PartitionsReportSchema = z
  .object({
    archived_before: z.string().nullable().openapi({
      description: 'Events before this instant live in the archive (null before the first maintenance)',
      example: '2025-12-01T06:00:00.000Z',
    }),
    archived_before_central: z.string().nullable().openapi({ example: '12-01-2025 00:00:00' }),
    live: TotalsSchema,
    archive: TotalsSchema,
    partitions: z.array(PartitionSchema),
    last_maintenance: MaintenanceRunSchema.nullable(),
    last_partitions_job: MaintenanceRunSchema.nullable(),
  })
  .openapi('PartitionsReport');

const centralMonth = (ms: number) => {
  const [month, , year] = formatCentral(ms).slice(0, 10).split('-');
  return `${year}-${month}`;
};

export const toPartitionObject = (p: PartitionInfo): z.infer<typeof PartitionSchema> => ({
  parent: p.parent,
  partition: p.partition,
  month: centralMonth(p.fromMs),
  archived: p.parent === 'auditevents_archival',
  range_from: iso(p.fromMs),
  range_to: iso(p.toMs),
  range_from_central: formatCentral(p.fromMs),
  range_to_central: formatCentral(p.toMs),
  rows: p.rows,
  rows_exact: p.rowsExact,
  total_bytes: p.totalBytes,
});

export const totalsOf = (partitions: PartitionInfo[]): z.infer<typeof TotalsSchema> => ({
  partitions: partitions.length,
  rows: partitions.reduce((sum, p) => sum + p.rows, 0),
  rows_exact: partitions.every((p) => p.rowsExact),
  total_bytes: partitions.reduce((sum, p) => sum + p.totalBytes, 0),
});

export const PartitionsQuerySchema = z.object({
  exact: z.enum(['true', 'false']).optional().openapi({
    description: 'Count every partition exactly (reads them all); by default large ones show the planner estimate',
    example: 'false',
  }),
});

export const RUNS_DEFAULT_LIMIT = 20;
export const RunsQuerySchema = z.object({
  limit: limitSchema({ max: 500, example: RUNS_DEFAULT_LIMIT, description: 'Newest first' }),
  job: z.enum(['maintain', 'partitions']).optional().openapi({ description: 'Only this job' }),
});

const RefDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ref_date must be a date, YYYY-MM-DD')
  .refine((v) => {
    const [year, month, day] = v.split('-').map(Number) as [number, number, number];
    return centralWallClockToEpoch({ year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 }) !== null;
  }, 'ref_date is not a real date')
  .refine((v) => v <= centralToday(), 'ref_date must not be in the future (Central Time)')
  .openapi({
    description: '"Today" for this run (Central Time), to archive as of an earlier date; default today',
    example: '2026-11-26',
  });

export const RunMaintenanceBodySchema = z
  .strictObject({
    months_to_keep: z.int().min(1).max(1200).optional().openapi({
      description: 'Live months kept, the current one included; default RETENTION_MONTHS',
      example: 12,
    }),
    ref_date: RefDateSchema.optional(),
  })
  .openapi('RunMaintenance');
