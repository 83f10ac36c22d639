import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sql');

const sqlFiles = (folder, pattern) =>
  readdirSync(join(SQL_DIR, folder))
    .filter((f) => pattern.test(f))
    .sort();

/**
 * Everything the runner (src/db/migrator.ts) applies, as { name, sql } with names relative to
 * sql/: the numbered migrations sql/NNN_*.sql and the repeatable sql/functions/*.sql.
 */
export function readMigrations() {
  const numbered = sqlFiles('.', /^\d{3}_.+\.sql$/);
  const functions = sqlFiles('functions', /\.sql$/).map((f) => `functions/${f}`);
  return [...numbered, ...functions].map((name) => ({ name, sql: readFileSync(join(SQL_DIR, name), 'utf8') }));
}
