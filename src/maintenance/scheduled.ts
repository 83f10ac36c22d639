import type { MaintenanceRun } from '../db/queries/admin-lifecycle';
import { loadConfig } from '../env';
import type { SealOutcome } from '../integrity/seal';
import { describeError } from '../lib/errors';
import { createLogger } from '../lib/logger';
import { runDailyPartitions, runMaintenance, summarizeRun, withMaintenanceDatabase } from './run-maintenance';
import { runSealJob } from './seal-job';

/** The Cron Triggers of wrangler.toml. */
export const MONTHLY_CRON = '0 8 1 * *';
export const DAILY_CRON = '15 0 * * *';
/** Every minute: seal new events into signed integrity blocks (docs/integrity.md). */
export const SEAL_CRON = '* * * * *';

/**
 * Cron Triggers, dispatched by expression: the every-minute cron seals integrity blocks; the monthly cron runs maintenance (archive every month past retention, hard
 * delete past the archive horizon, partitions ahead); the daily one, and any cron not named
 * here, makes sure the partitions ahead exist. The SQL records each run (a second concurrent
 * maintenance records 'skipped' thanks to its advisory lock); this logs one structured line
 * per run, and rejects when the run failed so the invocation shows as failed in Cloudflare.
 */
export async function runScheduled(
  controller: Pick<ScheduledController, 'cron' | 'scheduledTime'>,
  env: Env,
): Promise<MaintenanceRun | SealOutcome | null> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, {
    cron: controller.cron,
    scheduled_time: new Date(controller.scheduledTime).toISOString(),
  });
  if (controller.cron === SEAL_CRON) {
    try {
      return await runSealJob(config, logger);
    } catch (error) {
      logger.error('integrity seal failed', describeError(error));
      throw error;
    }
  }
  const job = controller.cron === MONTHLY_CRON ? 'maintain' : 'partitions';
  if (job === 'partitions' && controller.cron !== DAILY_CRON) {
    logger.warn('unknown cron; ensuring partitions', { known: [MONTHLY_CRON, DAILY_CRON, SEAL_CRON] });
  }
  let run: MaintenanceRun;
  try {
    run = await withMaintenanceDatabase(config, (db) =>
      job === 'maintain' ? runMaintenance(db, config, 'cron', logger) : runDailyPartitions(db, config, 'cron', logger),
    );
  } catch (error) {
    logger.error('scheduled job could not run', { job, ...describeError(error) });
    throw error;
  }
  const summary = summarizeRun(run);
  if (run.status === 'failed') {
    logger.error('scheduled job failed', summary);
    throw new Error(`${run.job} run ${run.id} failed`);
  }
  if (run.status === 'skipped') logger.warn('scheduled job skipped', summary);
  else logger.info('scheduled job finished', summary);
  return run;
}
