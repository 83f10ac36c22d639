import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../db/client';
import { loadConfig } from '../env';
import { createLogger } from '../lib/logger';
import { runMaintenance } from './run-maintenance';

export const MONTHLY_CRON = '0 2 1 * *';

/**
 * Cron Triggers: the monthly cron archives months past retention (sp_auditevents_maintain,
 * which holds an advisory lock so two runs never overlap); every other cron makes sure the
 * partitions ahead exist. Each run is recorded in auditevents_maintenance_runs.
 */
export async function runScheduled(controller: Pick<ScheduledController, 'cron' | 'scheduledTime'>, env: Env) {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, { cron: controller.cron });
  const handle = openDatabase(config, { statementTimeoutMs: 10 * 60_000 });
  try {
    if (controller.cron === MONTHLY_CRON) {
      const summary = await runMaintenance(handle.db, {
        monthsToKeep: config.RETENTION_MONTHS,
        archiveMonthsToKeep: config.ARCHIVE_RETENTION_MONTHS,
        trigger: 'cron',
      });
      const log = summary?.status === 'failed' ? logger.error : logger.info;
      log('maintenance finished', { summary });
    } else {
      const [row] = await queryRows<{ created: number }>(
        handle.db,
        sql`SELECT auditevents_daily_partitions(NULL, 'cron') AS created`,
      );
      logger.info('partitions ensured', { created: Number(row?.created ?? 0) });
    }
  } catch (error) {
    logger.error('scheduled job failed', { code: (error as { code?: string }).code, error: (error as Error).name });
    throw error;
  } finally {
    await handle.close();
  }
}
