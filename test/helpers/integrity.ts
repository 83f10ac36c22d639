import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { canonicalEvent } from '../../src/integrity/canonical';
import { call, KEY } from './app';
import { createPrivateDatabase, hyperdriveAt, type PrivateDatabase } from './private-database';
import { query } from './sql';

/** An event row as the integrity tests read it back: stored hash and the fields it covers. */
export interface StoredEvent {
  id: string;
  companyid: string;
  utc: string;
  functionality: string;
  event_type: string;
  storelocationid: string | null;
  username: string | null;
  message: string;
  status: string;
  additionaldata: unknown;
  eventid: string | null;
  eventhash: string | null;
  sql_canonical: string;
  table: string;
}

const COLUMNS =
  'id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata, eventid, eventhash, tableoid';

export async function storedEvent(id: number): Promise<StoredEvent> {
  const [row] = await query<StoredEvent & Record<string, unknown>>(
    `SELECT e.id::text, e.companyid::text, to_char(e.eventtimestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS utc,
            f.functionalityname AS functionality, t.eventtypename AS event_type, e.storelocationid::text,
            e.username, e.message, e.status, e.additionaldata, e.eventid::text, encode(e.eventhash, 'hex') AS eventhash,
            auditevent_canonical(e.id, e.eventtimestamp, f.functionalityname, t.eventtypename, e.storelocationid,
                                 e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid) AS sql_canonical,
            e.tableoid::regclass::text AS table
       FROM (SELECT ${COLUMNS} FROM auditevents WHERE id = $1
             UNION ALL SELECT ${COLUMNS} FROM auditevents_archival WHERE id = $1) e
       JOIN auditfunctionalities f ON f.functionalityid = e.functionalityid
       JOIN auditeventtypes t ON t.eventtypeid = e.eventtypeid`,
    [id],
  );
  if (!row) throw new Error(`event ${id} not found`);
  return row;
}

/** The canonical text of a stored event, rebuilt in JavaScript from its values. */
export const jsCanonicalOf = (e: StoredEvent) =>
  canonicalEvent({
    id: e.id,
    companyId: e.companyid,
    utcInstant: e.utc,
    functionality: e.functionality,
    eventType: e.event_type,
    storeId: e.storelocationid,
    username: e.username,
    message: e.message,
    status: e.status,
    additionalData: e.additionaldata,
    eventId: e.eventid,
  });

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The stored hash is the SHA-256 of the canonical text, and JavaScript rebuilds that text exactly. */
export function expectHashMatches(stored: StoredEvent) {
  expect(stored.eventhash).toMatch(/^[0-9a-f]{64}$/);
  // JavaScript rebuilds exactly the text PostgreSQL hashed...
  expect(jsCanonicalOf(stored)).toBe(stored.sql_canonical);
  // ...and the stored hash is the SHA-256 of it.
  expect(sha256Hex(stored.sql_canonical)).toBe(stored.eventhash);
}

export const INTEGRITY = '/pyaudit/api/integrity';
export const SEAL_PATH = '/pyaudit/api/admin/integrity/seal';

export interface SealBody {
  status: 'sealed' | 'nothing' | 'raced';
  blocks: number[];
  events: number;
  more: boolean;
}

export interface VerifyBody {
  ok: boolean;
  blocks: number;
  events: number;
  deleted_by_policy: number;
  failures: { block: number | null; event_id: number | string | null; reason: string }[];
  failures_truncated: boolean;
}

/**
 * A database of the test file's own: sealing and tampering change global state (the chain), so
 * integrity tests never share the database other files write to. reset() empties events and
 * blocks between tests.
 */
export async function integrityDatabase(label: string) {
  const db: PrivateDatabase = await createPrivateDatabase(label);
  // No self-audit: an admin seal would otherwise store an "Audit Service" event that the next
  // seal picks up, and tests count exactly what they created.
  const env = (extra: Partial<Env> = {}) =>
    ({ ...hyperdriveAt(db.url), SELF_AUDIT: 'false', ...extra }) as Partial<Env>;
  const sql = <T extends Record<string, unknown>>(text: string, params: unknown[] = []) =>
    query<T>(text, params, db.url);
  return {
    db,
    env,
    sql,
    async reset() {
      await sql('TRUNCATE integrity_block_events, integrity_deletions, integrity_blocks, auditevent_idempotency');
      await sql('TRUNCATE auditevents, auditevents_archival');
    },
    async seal(extra: Partial<Env> = {}): Promise<SealBody> {
      const response = await call(SEAL_PATH, { method: 'POST', headers: { 'CSIQ-APIKEY': KEY } }, env(extra));
      if (response.status !== 200) throw new Error(`seal: ${response.status} ${await response.text()}`);
      return (await response.json()) as SealBody;
    },
    /**
     * Seals until every given event is in a block. The commit horizon is the oldest transaction
     * running anywhere on the server, and other test files' transactions hold it back for a
     * while: sealing waits for them by design (it never skips), so tests wait too (bounded).
     */
    async sealIncluding(ids: number[], extra: Partial<Env> = {}): Promise<number[]> {
      const blocks: number[] = [];
      for (let attempt = 0; attempt < 240; attempt++) {
        blocks.push(...(await this.seal(extra)).blocks);
        const [row] = await sql<{ n: string }>(
          'SELECT count(DISTINCT event_id)::text AS n FROM integrity_block_events WHERE event_id = ANY($1::bigint[])',
          [ids],
        );
        if (Number(row?.n) === ids.length) return blocks;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`events ${ids.join(',')} were not sealed within 60 s`);
    },
    async verify(search = '', extra: Partial<Env> = {}): Promise<VerifyBody> {
      const response = await call(`${INTEGRITY}/verify${search}`, { headers: { 'CSIQ-APIKEY': KEY } }, env(extra));
      if (response.status !== 200) throw new Error(`verify: ${response.status} ${await response.text()}`);
      return (await response.json()) as VerifyBody;
    },
    /** Creates events through the API in this database; returns their ids. */
    async create(events: unknown[]): Promise<number[]> {
      const response = await call(
        '/pyaudit/api/audit-events/batch',
        {
          method: 'POST',
          headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify({ events }),
        },
        env(),
      );
      if (response.status !== 201) throw new Error(`batch: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { results: { id: number }[] }).results.map((r) => r.id);
    },
    /** Every sealed event id with its block, in block and leaf order. */
    sealed: () =>
      sql<{ block_seq: string; event_id: string }>(
        'SELECT block_seq::text, event_id::text FROM integrity_block_events ORDER BY integrity_block_events.block_seq, ord',
      ),
    drop: () => db.drop(),
  };
}

export type IntegrityDatabase = Awaited<ReturnType<typeof integrityDatabase>>;

/**
 * The suite's own integrity database, made before its tests, dropped after, and (unless
 * `reset: false`, for a suite whose tests build on each other) emptied before each test. The
 * returned object stands for the database from the first test on: its fields are read from the
 * one `beforeAll` made.
 */
export function useIntegrityDatabase(label: string, { reset = true } = {}): IntegrityDatabase {
  let current: IntegrityDatabase | undefined;
  beforeAll(async () => {
    current = await integrityDatabase(label);
  });
  afterAll(async () => {
    await current?.drop();
  });
  if (reset) beforeEach(async () => current?.reset());
  return new Proxy({} as IntegrityDatabase, {
    get(_, field) {
      if (!current) throw new Error(`the integrity database ${label} is used before its suite started`);
      return Reflect.get(current, field);
    },
  });
}
