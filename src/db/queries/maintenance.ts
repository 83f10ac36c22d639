import { desc, eq, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';
import { maintenanceRuns } from '../schema';

export async function latestRun(db: Database, job: 'maintain' | 'partitions') {
  const [run] = await db
    .select()
    .from(maintenanceRuns)
    .where(eq(maintenanceRuns.job, job))
    .orderBy(desc(maintenanceRuns.id))
    .limit(1);
  return run ?? null;
}

export interface PartitionInfo {
  parent: string;
  partition: string;
  range_from: string;
  range_to: string;
  rows: number;
}

/** Every partition with its range and an exact row count (admin view; small tables). */
export async function listPartitions(db: Database): Promise<PartitionInfo[]> {
  const result = await queryRows<Omit<PartitionInfo, 'rows'> & { rows: string }>(
    db,
    sql`SELECT p.parent, p.partition, p.range_from::text, p.range_to::text,
               (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', p.partition), false, true, '')))[1]::text::bigint AS rows
        FROM auditevents_partitions p ORDER BY p.parent, p.range_from`,
  );
  return result.map((r) => ({ ...r, rows: Number(r.rows) }));
}
