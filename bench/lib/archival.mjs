import { createDatabase, databaseUrl, dropDatabase, withClient } from './database.mjs';
import { ensureScratchDataset } from './scratch-dataset.mjs';

/**
 * The monthly archival of one month of `rows` events, timed two ways on identical copies of a
 * scratch database (never the main benchmark database):
 *  - this service: CALL sp_auditevents_maintain(), which moves the month's partition to the
 *    archive (detach/attach, no row copied);
 *  - the old service's way: INSERT INTO the archive SELECT the month, DELETE it, drop the
 *    emptied partition.
 * The month sits 14 months back, so the default 12-month retention archives it. The scratch
 * database is built once (a template) and cloned file by file for each timing.
 */
export async function archivalScenario({ serverUrl, rows, log, fresh }) {
  const template = `pyaudit_bench_archive_${rows}`;
  const templateUrl = databaseUrl(serverUrl, template);
  if (fresh) await dropDatabase(serverUrl, template);
  const month = await ensureTemplate({ serverUrl, template, templateUrl, rows, log });

  const run = `${template}_run`;
  const runUrl = databaseUrl(serverUrl, run);
  const clone = async () => {
    await dropDatabase(serverUrl, run);
    const started = performance.now();
    await createDatabase(serverUrl, run, { template });
    return (performance.now() - started) / 1000;
  };
  try {
    const cloneSeconds = await clone();
    log(`  sp_auditevents_maintain on a ${rows.toLocaleString('en-US')}-row month...`);
    const maintain = await withClient(runUrl, async (c) => {
      const started = performance.now();
      await c.query('CALL sp_auditevents_maintain()');
      const seconds = (performance.now() - started) / 1000;
      const { rows: runs } = await c.query(
        `SELECT status, months_archived, rows_archived, error FROM auditevents_maintenance_runs
         WHERE job = 'maintain' ORDER BY id DESC LIMIT 1`,
      );
      return { seconds, ...runs[0], rows_archived: Number(runs[0]?.rows_archived ?? 0) };
    });
    if (maintain.status !== 'ok')
      throw new Error(`sp_auditevents_maintain: ${maintain.status} ${maintain.error ?? ''}`);

    await clone();
    log(`  copy-and-delete (the old service's way) of the same month...`);
    const copy = await withClient(runUrl, async (c) => {
      const columns =
        'id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata, eventid, createdat';
      const time = async (fn) => {
        const started = performance.now();
        const result = await fn();
        return { seconds: (performance.now() - started) / 1000, result };
      };
      await c.query('BEGIN');
      const partition = await time(() =>
        c.query(`SELECT auditevents_create_partition('auditevents_archival', $1::timestamptz)`, [month.start]),
      );
      const insert = await time(() =>
        c.query(
          `INSERT INTO auditevents_archival (${columns}, archivedat)
           SELECT ${columns}, now() FROM auditevents WHERE eventtimestamp >= $1 AND eventtimestamp < $2`,
          [month.start, month.end],
        ),
      );
      const remove = await time(async () => {
        const result = await c.query('DELETE FROM auditevents WHERE eventtimestamp >= $1 AND eventtimestamp < $2', [
          month.start,
          month.end,
        ]);
        await c.query('COMMIT');
        return result;
      });
      const drop = await time(() =>
        c
          .query(`SELECT format('DROP TABLE %I', auditevents_partition_name('auditevents', $1::timestamptz)) AS ddl`, [
            month.start,
          ])
          .then(({ rows: [r] }) => c.query(r.ddl)),
      );
      return {
        seconds: partition.seconds + insert.seconds + remove.seconds + drop.seconds,
        copy_seconds: partition.seconds + insert.seconds,
        delete_seconds: remove.seconds,
        drop_seconds: drop.seconds,
        rows_copied: insert.result.rowCount,
      };
    });
    return {
      rows,
      month: month.start.toISOString().slice(0, 7),
      clone_seconds: cloneSeconds,
      maintain_seconds: maintain.seconds,
      maintain_rows_archived: maintain.rows_archived,
      copy_and_delete_seconds: copy.seconds,
      copy_seconds: copy.copy_seconds,
      delete_seconds: copy.delete_seconds,
      drop_seconds: copy.drop_seconds,
      copy_rows: copy.rows_copied,
    };
  } finally {
    await dropDatabase(serverUrl, run);
  }
}

/** The scratch template: migrated, the directory, one month of `rows` events 14 months back. */
async function ensureTemplate({ serverUrl, template, templateUrl, rows, log }) {
  await ensureScratchDataset({
    serverUrl,
    name: template,
    rows,
    log,
    span: "m + interval '1 minute', auditevents_add_months(m, 1) - interval '1 minute' FROM auditevents_add_months(auditevents_month_start(now()), -14) AS m",
    label: 'loading the month to archive',
  });
  return withClient(templateUrl, async (c) => {
    const { rows: r } = await c.query(
      `SELECT auditevents_month_start(span_start) AS start,
              auditevents_add_months(auditevents_month_start(span_start), 1) AS end
       FROM bench_dataset`,
    );
    return r[0];
  });
}
