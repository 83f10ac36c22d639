// The ingest hash cost alone (issue 14), without the rest of the benchmark: a scratch database,
// migrated, measured by bench/lib/ingest-hash-cost.mjs, dropped. `node bench/ingest-hash-cost.mjs`
// prints the result as JSON; `npm run bench -- --only integrity` measures the same inside the
// integrity scenario.
import { loadavg } from 'node:os';
import { createDatabase, databaseUrl, dropDatabase, migrateDatabase, serverUrl } from './lib/database.mjs';
import { measureIngestHashCost } from './lib/ingest-hash-cost.mjs';

const admin = serverUrl();
const name = `bench_ingest_hash_${process.pid}`;
await createDatabase(admin, name);
try {
  const url = databaseUrl(admin, name);
  await migrateDatabase(url);
  const loadBefore = loadavg()[0];
  const result = await measureIngestHashCost({ url });
  console.log(JSON.stringify({ load_average: [loadBefore, loadavg()[0]], ...result }, null, 2));
} finally {
  await dropDatabase(admin, name);
}
