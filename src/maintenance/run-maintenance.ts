/** Runs sp_auditevents_maintain and returns the run it recorded (cron and admin route). */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { latestRun } from '../db/queries/maintenance';

export interface MaintenanceOptions {
  monthsToKeep: number;
  archiveMonthsToKeep: number | null;
  trigger: 'cron' | 'admin';
  refDate?: string;
}

export async function runMaintenance(db: Database, options: MaintenanceOptions) {
  await db.execute(
    sql`CALL sp_auditevents_maintain(${options.monthsToKeep}::integer, ${options.refDate ?? null}::date, ${options.archiveMonthsToKeep}::integer, ${options.trigger}::text)`,
  );
  return latestRun(db, 'maintain');
}
