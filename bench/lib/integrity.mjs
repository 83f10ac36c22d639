import { loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { workerdStubs } from '../../scripts/lib/workerd-stubs.mjs';
import { processCpuSeconds } from './cpu.mjs';
import { createDatabase, databaseUrl, dropDatabase, migrateDatabase, withClient } from './database.mjs';
import { measureIngestHashCost } from './ingest-hash-cost.mjs';

/** A throwaway key for the scratch database (the same one the tests use). */
const BENCH_KEY = 'MC4CAQAwBQYDK2VwBCIEIIJqUeB4HKspxQODCcKntrpLu4RX07SvHCuFLMOp/144';
const LOAD_CHUNK = 100_000;

/** The seal and verify of src/integrity, bundled for Node (drizzle over node-postgres). */
async function loadIntegrityCode(root) {
  const outfile = join(root, 'bench', '.work', 'integrity-bundle.mjs');
  await build({
    entryPoints: [join(root, 'bench', 'lib', 'integrity-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
    plugins: [workerdStubs],
  });
  return import(`${outfile}?t=${Date.now()}`);
}

/**
 * Integrity (docs/integrity.md): in a scratch database of `rows` events stored with their hashes
 * (as ingest stores them), time sealing everything (blocks of 10,000, the default) and verifying
 * everything: hashes recomputed from content in SQL, Merkle roots and signatures in Node.
 * Reported per 1,000 events and as events per second.
 */
export async function integrityScenario({ root, serverUrl, rows, log }) {
  const name = 'pyaudit_bench_integrity';
  const url = databaseUrl(serverUrl, name);
  const code = await loadIntegrityCode(root);
  await dropDatabase(serverUrl, name);
  await createDatabase(serverUrl, name);
  try {
    await migrateDatabase(url);
    log(`  loading ${rows.toLocaleString('en-US')} events with their hashes...`);
    await withClient(url, async (c) => {
      await c.query(`SELECT ensure_auditevents_partitions((now() - interval '60 days')::date, 6)`);
      for (let done = 0; done < rows; done += LOAD_CHUNK) {
        // One transaction per chunk, like many ingest transactions: each has its own writexid.
        await c.query(
          `WITH g AS (
             SELECT nextval('auditevents_id_seq') AS id, now() - (i % 2000000) * interval '1 second' AS ts, i
             FROM generate_series($1::bigint, $2::bigint) AS i)
           INSERT INTO auditevents (id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
                                    username, message, status, additionaldata, eventhash)
           SELECT id, ts, 1, 1, 100 + i % 50, 5000 + i % 20, 'user' || (i % 1000), 'benchmark event ' || i, 'Success',
                  jsonb_build_object('ip', '10.0.0.' || (i % 250), 'n', i),
                  auditevent_content_hash(id, ts, 1, 1, 100 + i % 50, 5000 + i % 20, 'user' || (i % 1000),
                                          'benchmark event ' || i, 'Success',
                                          jsonb_build_object('ip', '10.0.0.' || (i % 250), 'n', i), NULL)
           FROM g`,
          [done, Math.min(done + LOAD_CHUNK, rows) - 1],
        );
      }
      await c.query('ANALYZE');
    });

    const config = { INTEGRITY_SIGNING_KEY: BENCH_KEY, INTEGRITY_PUBLIC_KEYS: '' };
    const keys = await code.integrityKeys(config);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const db = code.drizzle(client);
      log('  sealing...');
      let started = performance.now();
      const outcome = await code.seal(db, keys.signing, {
        maxEventsPerBlock: 10_000,
        budgetMs: Number.POSITIVE_INFINITY,
        maxBlocks: Number.MAX_SAFE_INTEGER,
      });
      const sealSeconds = (performance.now() - started) / 1000;
      if (outcome.events !== rows) throw new Error(`sealed ${outcome.events} of ${rows} events`);
      log('  verifying...');
      // Two connections, as GET /integrity/verify opens (src/routes/integrity/verify.ts).
      const second = new pg.Client({ connectionString: url });
      await second.connect();
      let verifySeconds;
      let verifyCpu;
      try {
        const backends = await Promise.all(
          [client, second].map(async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid),
        );
        const loadBefore = loadavg()[0];
        const pgBefore = backends.map(processCpuSeconds);
        const nodeBefore = process.cpuUsage();
        started = performance.now();
        const report = await code.verifyTrail(db, keys.trusted, { fromIso: null, toIso: null }, [
          db,
          code.drizzle(second),
        ]);
        verifySeconds = (performance.now() - started) / 1000;
        const node = process.cpuUsage(nodeBefore);
        const pgSeconds = backends.reduce((sum, pid, i) => sum + (processCpuSeconds(pid) - pgBefore[i]), 0);
        verifyCpu = {
          postgres_seconds: pgSeconds,
          node_seconds: (node.user + node.system) / 1e6,
          load_average_before: loadBefore,
          load_average_after: loadavg()[0],
        };
        if (!report.ok || report.events !== rows) throw new Error(`verify: ${JSON.stringify(report).slice(0, 300)}`);
      } finally {
        await second.end();
      }
      log('  ingest with and without the event hash (bare SQL)...');
      const ingestHash = await measureIngestHashCost({ url });
      return {
        title: 'Integrity: seal and verify',
        rows,
        blocks: outcome.blocks.length,
        seal_seconds: sealSeconds,
        seal_ms_per_1000: (sealSeconds * 1000 * 1000) / rows,
        seal_events_per_s: rows / sealSeconds,
        verify_seconds: verifySeconds,
        verify_events_per_s: rows / verifySeconds,
        // CPU of the verify: the two PostgreSQL backends and this Node process (the Worker's code),
        // so a run on the shared machine can be projected to free cores.
        verify_cpu: verifyCpu,
        ingest_hash: ingestHash,
      };
    } finally {
      await client.end();
    }
  } finally {
    await dropDatabase(serverUrl, name);
  }
}
