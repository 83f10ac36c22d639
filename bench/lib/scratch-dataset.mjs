// A database of the benchmark's own beside the main one (archive_month's template, the
// one-company export): built once, then reused while it is complete, of this DATASET_VERSION and
// size, and its applied migrations unchanged.
import { createDatabase, databaseExists, databaseUrl, dropDatabase, migrateDatabase, withClient } from './database.mjs';
import { DATASET_VERSION, loadEvents, readDataset, setupDirectory } from './dataset.mjs';

/**
 * Ensures database `name` holds `rows` events spread over the span that `span` selects (an SQL
 * fragment giving span_start and span_end, after `SELECT $1, $2,`), loaded by loadEvents with
 * `label` and `company`; returns the database's URL.
 */
export async function ensureScratchDataset({ serverUrl, name, rows, log, span, label, company = null }) {
  const url = databaseUrl(serverUrl, name);
  let ready = (await databaseExists(serverUrl, name)) ? await withClient(url, readDataset).catch(() => null) : null;
  if (ready?.complete) {
    // Migrated like the others, so what is timed runs on the current schema; a migration edited
    // since (unreleased files may change) means building the scratch database again.
    try {
      await migrateDatabase(url);
    } catch (error) {
      if (!/was changed after it was applied/.test(error.message)) throw error;
      log(`  ${error.message.split(' (')[0]}: rebuilding ${name}`);
      ready = null;
    }
  }
  if (ready?.complete && ready.version === DATASET_VERSION && Number(ready.target_rows) === rows) return url;
  await dropDatabase(serverUrl, name);
  await createDatabase(serverUrl, name);
  await migrateDatabase(url);
  await withClient(url, async (c) => {
    await setupDirectory(c);
    await c.query(`INSERT INTO bench_dataset (version, target_rows, span_start, span_end) SELECT $1, $2, ${span}`, [
      DATASET_VERSION,
      rows,
    ]);
    const state = await readDataset(c);
    await loadEvents(c, { rows, spanStart: state.span_start, spanEnd: state.span_end, chunk: 50_000, label, company });
    log('  VACUUM ANALYZE...');
    await c.query('VACUUM (ANALYZE) auditevents');
    await c.query('UPDATE bench_dataset SET complete = true, last_id = (SELECT max(id) FROM auditevents)');
  });
  return url;
}
