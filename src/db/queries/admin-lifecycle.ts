import { desc, eq, type SQL, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../client';
import { maintenanceRuns } from '../schema';

/** The SQL entry points of sql/functions/partitions.sql and maintenance.sql; see docs/lifecycle.md. */

export type MaintenanceJob = 'maintain' | 'partitions';
export type MaintenanceRun = typeof maintenanceRuns.$inferSelect;

export interface MaintainArgs {
  monthsToKeep: number;
  /** Hard-delete archive months older than this (months, counted like monthsToKeep); null = never. */
  archiveMonthsToKeep: number | null;
  monthsAhead: number;
  trigger: string;
  /** YYYY-MM-DD, "today" in Central Time; defaults to the real today. */
  refDate?: string;
}

async function runById(db: Database, id: number): Promise<MaintenanceRun> {
  const [run] = await db.select().from(maintenanceRuns).where(eq(maintenanceRuns.id, id));
  if (!run) throw new Error(`maintenance run ${id} was not recorded`);
  return run;
}

/** Calls a job function that records its run and returns that run (never another caller's). */
async function recordedRun(db: Database, call: SQL): Promise<MaintenanceRun> {
  const [row] = await queryRows<{ id: string }>(db, sql`SELECT id FROM ${call}`);
  if (!row) throw new Error('the maintenance function returned no run');
  return runById(db, Number(row.id));
}

/** One maintenance run (archive, hard delete, partitions ahead): ok, failed or skipped. */
export const maintain = (db: Database, args: MaintainArgs) =>
  recordedRun(
    db,
    sql`auditevents_maintain(${args.monthsToKeep}::integer, ${args.refDate ?? null}::date,
        ${args.archiveMonthsToKeep}::integer, ${args.trigger}::text, ${args.monthsAhead}::integer)`,
  );

/** The daily job: the current month and monthsAhead after it exist. */
export const ensurePartitionsAhead = (db: Database, args: Pick<MaintainArgs, 'monthsAhead' | 'trigger' | 'refDate'>) =>
  recordedRun(
    db,
    sql`auditevents_daily_partitions(${args.refDate ?? null}::date, ${args.trigger}::text, ${args.monthsAhead}::integer)`,
  );

export async function latestRun(db: Database, job: MaintenanceJob): Promise<MaintenanceRun | null> {
  const [run] = await db
    .select()
    .from(maintenanceRuns)
    .where(eq(maintenanceRuns.job, job))
    .orderBy(desc(maintenanceRuns.id))
    .limit(1);
  return run ?? null;
}

export function recentRuns(db: Database, options: { limit: number; job?: MaintenanceJob }): Promise<MaintenanceRun[]> {
  return db
    .select()
    .from(maintenanceRuns)
    .where(options.job ? eq(maintenanceRuns.job, options.job) : undefined)
    .orderBy(desc(maintenanceRuns.id))
    .limit(options.limit);
}

/** Events before this instant are stored in the archive (null until the first maintenance). */
export async function archiveHorizonMs(db: Database): Promise<number | null> {
  const [row] = await queryRows<{ ms: number | null }>(
    db,
    sql`SELECT (extract(epoch FROM archived_before) * 1000)::float8 AS ms FROM auditevents_lifecycle`,
  );
  return row?.ms ?? null;
}

export interface PartitionInfo {
  parent: 'auditevents' | 'auditevents_archival';
  partition: string;
  fromMs: number;
  toMs: number;
  rows: number;
  /** false when rows is the planner's estimate (a large partition and exact counts not asked for). */
  rowsExact: boolean;
  totalBytes: number;
}

/**
 * Every partition of both parents with its range, size and row count
 * (auditevents_partition_stats: large partitions show the planner estimate unless exact).
 */
export async function listPartitions(db: Database, options: { exact: boolean }): Promise<PartitionInfo[]> {
  const rows = await queryRows<{
    parent: PartitionInfo['parent'];
    partition: string;
    from_ms: number;
    to_ms: number;
    total_bytes: string;
    row_count: string;
    rows_exact: boolean;
  }>(
    db,
    sql`SELECT parent, partition,
               (extract(epoch FROM range_from) * 1000)::float8 AS from_ms,
               (extract(epoch FROM range_to) * 1000)::float8 AS to_ms,
               total_bytes, row_count, rows_exact
        FROM auditevents_partition_stats(${options.exact})`,
  );
  return rows.map((r) => ({
    parent: r.parent,
    partition: r.partition,
    fromMs: r.from_ms,
    toMs: r.to_ms,
    rows: Number(r.row_count),
    rowsExact: r.rows_exact,
    totalBytes: Number(r.total_bytes),
  }));
}

// The message trigram index per closed month (sql/functions/message-index.sql, issue 18).

/** One statement of sql/functions/message-index.sql: a DROP of a failed build or a CREATE. */
export interface MessageIndexStatement {
  partition: string;
  indexName: string;
  statement: string;
}

/** What gives every closed live month its message trigram index; empty when nothing is left to do. */
export async function messageIndexStatements(db: Database, refDate?: string): Promise<MessageIndexStatement[]> {
  const rows = await queryRows<{ partition: string; index_name: string; statement: string }>(
    db,
    sql`SELECT partition, index_name, statement FROM auditevents_message_index_statements(${refDate ?? null}::date)`,
  );
  return rows.map((r) => ({ partition: r.partition, indexName: r.index_name, statement: r.statement }));
}

/**
 * Runs one of those statements as it is: CONCURRENTLY needs to be a statement of its own,
 * outside any transaction, which a single query on the connection is.
 */
export async function runMessageIndexStatement(db: Database, statement: MessageIndexStatement): Promise<void> {
  await db.execute(sql.raw(statement.statement));
}
