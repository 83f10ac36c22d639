import { env } from 'cloudflare:workers';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isFunctionFile, type Migration, migrate } from '../../src/db/migrator';
import { isEmbedded } from '../helpers/app';
import { query, withClient } from '../helpers/sql';
import { schemaSnapshot } from './schema-snapshot';

/** The real files of sql/ and sql/functions/, as the global setup read them. */
const migrations = JSON.parse(env.TEST_MIGRATIONS) as Migration[];
const numbered = migrations.filter((m) => !isFunctionFile(m.name));
const functionFiles = migrations.filter((m) => isFunctionFile(m.name)).map((m) => m.name);
const SUPERSEDED = '031_company_message_covering_index.sql';
/** Everything a fresh install runs: 031 is marked superseded by 033 and skipped. */
const freshInstall = migrations.map((m) => m.name).filter((name) => name !== SUPERSEDED);

const newSchemaName = () => `m_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** Runs fn on a client whose search_path starts with a new, empty schema; drops it afterwards. */
async function inNewSchema<T>(fn: (client: pg.Client, schema: string) => Promise<T>): Promise<T> {
  const schema = newSchemaName();
  return withClient(async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path TO ${schema}, public`);
    try {
      return await fn(client, schema);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
}

function withFile(name: string, change: (sql: string) => string): Migration[] {
  const found = migrations.find((m) => m.name === name);
  if (!found) throw new Error(`no migration ${name}`);
  return migrations.map((m) => (m.name === name ? { name, sql: change(m.sql) } : m));
}

const withoutSupersededMark = (sql: string) => sql.replace(/^-- superseded-by: \d{3}\n/, '');

describe('numbered migrations', () => {
  it('apply to an empty schema, then do nothing the second time', async () => {
    await inNewSchema(async (client) => {
      expect(await migrate(client, migrations)).toEqual(freshInstall);
      expect(await migrate(client, migrations)).toEqual([]);
      // The contract's seed (sql/021 adds the service's own `Audit Service` types beside it).
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM auditeventtypes JOIN auditfunctionalities USING (functionalityid)
         WHERE functionalityname IN ('Authenticate', 'Price Management')`,
      );
      expect(rows[0]?.n).toBe(8);
    });
  });

  it('refuses a migration that changed after it was applied', async () => {
    const [first] = migrations;
    if (!first) throw new Error('no migrations');
    await expect(
      withClient((client: pg.Client) => migrate(client, [{ ...first, sql: `${first.sql}\n-- edited` }])),
    ).rejects.toThrow(/changed after it was applied/);
  });

  it.skipIf(isEmbedded)('are safe when two runners start at once: each file runs once', async () => {
    const schema = newSchemaName();
    await query(`CREATE SCHEMA ${schema}`);
    const runner = () =>
      withClient(async (client) => {
        await client.query(`SET search_path TO ${schema}, public`);
        return migrate(client, migrations);
      });
    try {
      const [a, b] = await Promise.all([runner(), runner()]);
      expect([...a, ...b].sort()).toEqual([...freshInstall].sort());
    } finally {
      await query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});

describe('function files (sql/functions/)', () => {
  it('are applied after the numbered migrations', async () => {
    await inNewSchema(async (client) => {
      const applied = await migrate(client, migrations);
      expect(applied.slice(-functionFiles.length)).toEqual(functionFiles);
      expect(functionFiles).toContain('functions/ingest.sql');
    });
  });

  it('a changed file is applied again and recorded with its new checksum; an unchanged one is not', async () => {
    await inNewSchema(async (client) => {
      await migrate(client, migrations);
      // Out-of-band marks on two functions: only a re-applied file would reset them.
      await client.query(`COMMENT ON FUNCTION auditevents_ingest(jsonb, text) IS 'before'`);
      await client.query(`COMMENT ON FUNCTION auditevents_month_start(timestamptz) IS 'untouched'`);
      const before = await client.query(`SELECT checksum FROM schema_migrations WHERE name = 'functions/ingest.sql'`);

      const changed = withFile('functions/ingest.sql', (sql) => sql.replace('SET jit = off', 'SET jit = off\nSTABLE'));
      // STABLE is wrong for ingest; it only makes the change visible in the catalogue.
      expect(await migrate(client, changed)).toEqual(['functions/ingest.sql']);
      const { rows } = await client.query(
        `SELECT p.provolatile, obj_description(p.oid, 'pg_proc') AS comment,
                (SELECT checksum FROM schema_migrations WHERE name = 'functions/ingest.sql') AS checksum
         FROM pg_proc p WHERE p.oid = 'auditevents_ingest(jsonb, text)'::regprocedure`,
      );
      expect(rows[0]?.provolatile).toBe('s');
      expect(rows[0]?.checksum).not.toBe(before.rows[0]?.checksum);
      const untouched = await client.query(
        `SELECT obj_description('auditevents_month_start(timestamptz)'::regprocedure, 'pg_proc') AS comment`,
      );
      expect(untouched.rows[0]?.comment).toBe('untouched');

      // Back to the real file: applied again, and then nothing more to do.
      expect(await migrate(client, migrations)).toEqual(['functions/ingest.sql']);
      expect(await migrate(client, migrations)).toEqual([]);
      const volatile = await client.query(
        `SELECT provolatile FROM pg_proc WHERE oid = 'auditevents_ingest(jsonb, text)'::regprocedure`,
      );
      expect(volatile.rows[0]?.provolatile).toBe('v');
    });
  });

  it('are all applied again after a new numbered migration (it may have replaced one)', async () => {
    await inNewSchema(async (client) => {
      await migrate(client, migrations);
      const stale = `CREATE OR REPLACE FUNCTION auditevents_month_start(ts timestamptz)
        RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT ts $$;`;
      const withNewMigration = [...migrations, { name: '999_restates_a_function.sql', sql: stale }];
      expect(await migrate(client, withNewMigration)).toEqual(['999_restates_a_function.sql', ...functionFiles]);
      const { rows } = await client.query(
        `SELECT auditevents_month_start('2026-03-15T12:00:00Z') = '2026-03-01T06:00:00Z'::timestamptz AS ok`,
      );
      expect(rows[0]?.ok).toBe(true);
    });
  });

  it.skipIf(isEmbedded)('two runners at once apply a changed file once', async () => {
    const schema = newSchemaName();
    await query(`CREATE SCHEMA ${schema}`);
    const runner = (files: Migration[]) =>
      withClient(async (client) => {
        await client.query(`SET search_path TO ${schema}, public`);
        return migrate(client, files);
      });
    try {
      await runner(migrations);
      const changed = withFile('functions/maintenance.sql', (sql) => `${sql}\n-- changed\n`);
      const [a, b] = await Promise.all([runner(changed), runner(changed)]);
      expect([...a, ...b]).toEqual(['functions/maintenance.sql']);
    } finally {
      await query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});

describe('superseded migrations', () => {
  it('the mark names a later migration, or nothing runs', async () => {
    const markedWrongly = withFile(SUPERSEDED, (sql) => `-- superseded-by: 030\n${withoutSupersededMark(sql)}`);
    await inNewSchema(async (client, schema) => {
      await expect(migrate(client, markedWrongly)).rejects.toThrow(/superseded by 030, which is not a later/);
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = $1::regnamespace`,
        [schema],
      );
      expect(rows[0]?.n).toBe(0);
    });
  });

  it('a database that applied 031 before it was marked still matches its checksum', async () => {
    await inNewSchema(async (client) => {
      const upTo031 = withFile(SUPERSEDED, withoutSupersededMark).filter((m) => m.name <= SUPERSEDED);
      expect(await migrate(client, upTo031)).toContain(SUPERSEDED);
      const rest = await migrate(client, migrations);
      expect(rest).toEqual(freshInstall.filter((name) => name > SUPERSEDED));
      const { rows } = await client.query(`SELECT superseded_by FROM schema_migrations WHERE name = $1`, [SUPERSEDED]);
      expect(rows[0]?.superseded_by).toBeNull();
    });
  });

  it('upgrading from 030 with a long incompressible message skips 031 and ends like a fresh install', async () => {
    const fresh = await inNewSchema(async (client, schema) => {
      await migrate(client, migrations);
      return schemaSnapshot(client, schema);
    });
    expect(fresh.filter((line) => line.startsWith('index auditevents_company_time_idx '))).toHaveLength(1);

    await inNewSchema(async (client, schema) => {
      const upTo030 = numbered.filter((m) => m.name < SUPERSEDED);
      await migrate(client, upTo030);
      // 10,000 random characters (a valid message) do not compress: the row is far over the
      // ~2.7 kB a btree tuple may hold, so 031's INCLUDE (message) index cannot be built.
      const message = Array.from(crypto.getRandomValues(new Uint8Array(10_000)), (b) =>
        String.fromCharCode(33 + (b % 94)),
      ).join('');
      const events = [
        {
          idx: 0,
          ts: new Date().toISOString(),
          functionality: 'Authenticate',
          event_type: 'Login',
          company_id: 1,
          username: 'upgrade',
          message,
          status: 'Success',
        },
      ];
      const ingested = await client.query('SELECT * FROM auditevents_ingest($1::jsonb)', [JSON.stringify(events)]);
      expect(ingested.rows[0]?.error).toBeNull();

      // Without the mark, 031 fails on this database: that is the bug the mark fixes.
      await expect(migrate(client, withFile(SUPERSEDED, withoutSupersededMark))).rejects.toThrow(
        /031_company_message_covering_index.sql failed: index row/,
      );

      const applied = await migrate(client, migrations);
      expect(applied).toEqual(freshInstall.filter((name) => name > SUPERSEDED));
      const { rows } = await client.query(`SELECT superseded_by FROM schema_migrations WHERE name = $1`, [SUPERSEDED]);
      expect(rows[0]?.superseded_by).toBe('033_company_index_without_message.sql');
      const stored = await client.query('SELECT length(message) AS n FROM auditevents');
      expect(stored.rows).toEqual([{ n: 10_000 }]);
      expect(await schemaSnapshot(client, schema)).toEqual(fresh);
    });
  });
});
