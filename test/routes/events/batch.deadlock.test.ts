import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { BASE, event, isEmbedded, postJson, uniqueCompanyId } from '../../helpers/app';
import { countEventsOf, query, withClient } from '../../helpers/sql';

/**
 * Issue 13.11: idempotency keys were claimed in each batch's own order, so two batches sharing
 * event_ids in different orders could each hold a key the other waited for: a deadlock, answered
 * 500. Keys are now claimed in one order, and a deadlock or serialization failure that still
 * happens is run again (bounded), then a 503 with Retry-After, never a 500.
 */
interface BatchBody {
  created: number;
  duplicates: number;
  results: { index: number; id: number | null; duplicate: boolean }[];
}

// Retries are logged at WARNING; the tests read those lines to see whether a retry happened.
const WARN = { LOG_LEVEL: 'WARNING' } as Partial<Env>;
let warned: string[] = [];
let spy: MockInstance;
beforeEach(() => {
  warned = [];
  spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    warned.push(args.join(' '));
  });
});
afterEach(() => spy.mockRestore());
const retries = () => warned.filter((line) => line.includes('ingest retried'));

/** The backends waiting, directly or through another waiter, on `pid`. */
async function waitersOn(pid: number): Promise<number> {
  const [row] = await query<{ n: number }>(
    `WITH RECURSIVE blocked(pid) AS (
       SELECT a.pid FROM pg_stat_activity a WHERE $1::int = ANY(pg_blocking_pids(a.pid))
       UNION
       SELECT a.pid FROM pg_stat_activity a JOIN blocked b ON b.pid = ANY(pg_blocking_pids(a.pid))
     ) SELECT count(*)::int AS n FROM blocked`,
    [pid],
  );
  return row?.n ?? 0;
}

describe.skipIf(isEmbedded)('batches sharing event_ids in reverse orders (issue 13.11)', () => {
  it('both are stored, no deadlock, every shared event_id gets one id', async () => {
    const company = uniqueCompanyId();
    const [k1, k2, k3] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const item = (eventId: string) => event({ company_id: company, event_id: eventId, message: `key ${eventId}` });

    await withClient(async (holder) => {
      // A third writer holds k3 uncommitted, so each batch stops on k3 after claiming the key
      // before it (claimed in its own order: A holds k1, B holds k2). When k3 commits, each goes
      // on to the key the other holds: before the fix, a certain deadlock.
      const [{ pid }] = (await holder.query('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
      await holder.query('BEGIN');
      const [held] = (
        await holder.query('SELECT id FROM auditevents_ingest($1::jsonb)', [
          JSON.stringify([
            {
              idx: 0,
              ts: new Date(Date.now() - 60_000).toISOString(),
              functionality: 'Authenticate',
              event_type: 'Login',
              store_id: 1,
              company_id: company,
              username: 'holder',
              message: 'held key',
              status: 'Success',
              additional_data: null,
              event_id: k3,
            },
          ]),
        ])
      ).rows as [{ id: string }];

      const a = postJson(`${BASE}/batch`, { events: [item(k1), item(k3), item(k2)] }, WARN);
      const b = postJson(`${BASE}/batch`, { events: [item(k2), item(k3), item(k1)] }, WARN);
      // Both batches are waiting (on the holder, or on each other behind it) before it commits.
      for (let i = 0; (await waitersOn(pid)) < 2; i++) {
        if (i > 600) throw new Error('the batches never queued behind the held key');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await holder.query('COMMIT');

      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.status, await ra.clone().text()).toBe(201);
      expect(rb.status, await rb.clone().text()).toBe(201);
      const [ba, bb] = [(await ra.json()) as BatchBody, (await rb.json()) as BatchBody];
      const idOf = (body: BatchBody, index: number) => body.results.find((r) => r.index === index)?.id;
      expect(idOf(ba, 0)).toBe(idOf(bb, 2)); // k1
      expect(idOf(ba, 2)).toBe(idOf(bb, 0)); // k2
      expect(idOf(ba, 1)).toBe(Number(held.id)); // k3: the holder's
      expect(idOf(bb, 1)).toBe(Number(held.id));
      expect(ba.created + bb.created).toBe(2);
      expect(ba.duplicates + bb.duplicates).toBe(4);
    });

    // No deadlock was detected and retried: the keys were claimed in one order.
    expect(retries()).toEqual([]);
    expect(await countEventsOf(company)).toBe(3);
  });
});

/**
 * The retry, driven by real errors of the real statement: a trigger on the idempotency table
 * raises the SQLSTATE for this test's company only, the first `failures` times (a sequence
 * counts: its nextval is not rolled back with the failed statement).
 */
async function withInjectedFailures<T>(company: number, code: string, failures: number, fn: () => Promise<T>) {
  const name = `test_transient_${company}`;
  await query(`CREATE SEQUENCE ${name}`);
  await query(
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.companyid = ${company} AND nextval('${name}') <= ${failures} THEN
         RAISE EXCEPTION 'injected transient failure' USING ERRCODE = '${code}';
       END IF;
       RETURN NEW;
     END $$`,
  );
  await query(`CREATE TRIGGER ${name} BEFORE INSERT ON auditevent_idempotency FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  try {
    return await fn();
  } finally {
    await query(`DROP TRIGGER ${name} ON auditevent_idempotency`);
    await query(`DROP FUNCTION ${name}()`);
    await query(`DROP SEQUENCE ${name}`);
  }
}

describe('a deadlock or serialization failure is retried, never a 500 (issue 13.11)', () => {
  for (const code of ['40P01', '40001']) {
    it(`${code} twice, then the third run stores the batch once`, async () => {
      const company = uniqueCompanyId();
      const events = [event({ company_id: company, event_id: crypto.randomUUID() }), event({ company_id: company })];
      const response = await withInjectedFailures(company, code, 2, () => postJson(`${BASE}/batch`, { events }, WARN));
      expect(response.status, await response.clone().text()).toBe(201);
      expect(((await response.json()) as BatchBody).created).toBe(2);
      expect(await countEventsOf(company)).toBe(2);
      expect(retries()).toHaveLength(2);
      expect(retries()[0]).toContain(code);
    });
  }

  it('a create that keeps failing is a 503 with Retry-After, and stores nothing', async () => {
    const company = uniqueCompanyId();
    const body = event({ company_id: company, event_id: crypto.randomUUID() });
    const response = await withInjectedFailures(company, '40P01', 100, () => postJson(`${BASE}/create`, body, WARN));
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/concurrent/);
    expect(await countEventsOf(company)).toBe(0);
    expect(retries()).toHaveLength(2); // three runs in all
  });
});
