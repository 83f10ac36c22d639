/**
 * The lifecycle jobs as the Worker runs them, from the cron and the admin route: configuration
 * in, the run recorded by the SQL function out (sql/functions/maintenance.sql, docs/lifecycle.md).
 */
import type { Database } from '../db/client';
import { openDatabase } from '../db/client';
import { ensurePartitionsAhead, type MaintenanceRun, maintain } from '../db/queries/admin-lifecycle';
import type { Config } from '../env';
import { pgTimestampToEpoch } from '../lib/central-time';
import type { Logger } from '../lib/logger';
import { indexClosedMonths } from './message-index';

/** Archival is catalogue-only, but counting the months it moves reads them: allow minutes. */
export const MAINTENANCE_STATEMENT_TIMEOUT_MS = 10 * 60_000;

export type RunTrigger = 'cron' | 'admin';

/** A connection of its own with a long statement timeout, closed when fn settles. */
export async function withMaintenanceDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const handle = openDatabase(config, { statementTimeoutMs: MAINTENANCE_STATEMENT_TIMEOUT_MS });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

export interface MaintenanceOverrides {
  /** Live months kept; RETENTION_MONTHS unless given. */
  monthsToKeep?: number;
  /** YYYY-MM-DD in Central Time; the real today unless given. */
  refDate?: string;
}

/**
 * Closed months get their message index (outside any transaction, src/maintenance/message-index.ts),
 * then: archive months past retention, hard-delete past ARCHIVE_RETENTION_MONTHS, partitions ahead.
 * The index comes first so that a month archived in this run keeps its index: ATTACH adopts it,
 * where it would otherwise build one inside the archival's critical section.
 */
export async function runMaintenance(
  db: Database,
  config: Config,
  trigger: RunTrigger,
  logger: Logger,
  overrides: MaintenanceOverrides = {},
): Promise<MaintenanceRun> {
  await indexClosedMonths(db, logger, overrides.refDate);
  return maintain(db, {
    monthsToKeep: overrides.monthsToKeep ?? config.RETENTION_MONTHS,
    archiveMonthsToKeep: config.ARCHIVE_RETENTION_MONTHS,
    monthsAhead: config.PARTITION_MONTHS_AHEAD,
    trigger,
    refDate: overrides.refDate,
  });
}

/**
 * The current month and PARTITION_MONTHS_AHEAD after it exist; closed months missing their
 * message index get it (a no-op query on most days; it retries a build the monthly run lost).
 */
export async function runDailyPartitions(
  db: Database,
  config: Config,
  trigger: RunTrigger,
  logger: Logger,
): Promise<MaintenanceRun> {
  const run = await ensurePartitionsAhead(db, { monthsAhead: config.PARTITION_MONTHS_AHEAD, trigger });
  await indexClosedMonths(db, logger);
  return run;
}

/** What a log line says about a run: counts, outcome, how long the live table was locked. */
export function summarizeRun(run: MaintenanceRun): Record<string, unknown> {
  const details = (run.details ?? {}) as Record<string, unknown>;
  return {
    run_id: run.id,
    job: run.job,
    trigger: run.runTrigger,
    status: run.status,
    months_archived: run.monthsArchived,
    rows_archived: run.rowsArchived,
    archive_partitions_dropped: run.archivePartitionsDropped,
    partitions_created: run.partitionsCreated,
    duration_ms: run.finishedAt ? pgTimestampToEpoch(run.finishedAt) - pgTimestampToEpoch(run.startedAt) : null,
    locked_ms: details.locked_ms ?? null,
    lock_attempts: details.lock_attempts ?? null,
    cutoff: details.cutoff ?? null,
    error: run.error,
  };
}
