import { describe, expect, it } from 'vitest';
import { withClient } from '../helpers/sql';

/** One event through the ingest function, on the given client (inside its transaction, if any). */
async function ingestOne(client: import('pg').Client, message: string): Promise<number> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM auditevents_ingest(jsonb_build_array(jsonb_build_object(
       'idx', 0, 'ts', now(), 'functionality', 'Authenticate', 'event_type', 'Login',
       'store_id', 1, 'company_id', 934001, 'username', 'horizon', 'message', $1::text,
       'status', 'Success')))`,
    [message],
  );
  return Number(rows[0]?.id);
}

const writexidOf = async (client: import('pg').Client, id: number) =>
  BigInt(
    (await client.query<{ x: string }>('SELECT writexid::text AS x FROM auditevents WHERE id = $1', [id])).rows[0]?.x ??
      -1,
  );
const horizon = async (client: import('pg').Client) =>
  BigInt((await client.query<{ h: string }>('SELECT auditevents_commit_horizon()::text AS h')).rows[0]?.h ?? -1);

describe('commit horizon (sql/034)', () => {
  it('stays at or below a transaction that is still open, and passes it once it commits', {
    timeout: 90_000,
  }, async () => {
    await withClient(async (held) => {
      await withClient(async (other) => {
        await held.query('BEGIN');
        const heldId = await ingestOne(held, 'held open');
        const heldXid = BigInt(
          (await held.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]?.x ?? 0,
        );

        // A later insert commits first: its id is higher, its writexid too, but the horizon
        // must not pass the held transaction, so a follower cannot skip the held event.
        const laterId = await ingestOne(other, 'committed first');
        expect(laterId).toBeGreaterThan(heldId);
        const laterXid = await writexidOf(other, laterId);
        expect(laterXid).toBeGreaterThan(heldXid);
        expect(await horizon(other)).toBeLessThanOrEqual(heldXid);

        await held.query('COMMIT');
        expect(await writexidOf(other, heldId)).toBe(heldXid);
        // The horizon is cluster-wide: another test file's open transaction may hold it back
        // for a moment, so wait (bounded) for it to pass the committed one.
        let after = await horizon(other);
        for (let i = 0; i < 600 && after <= heldXid; i++) {
          await new Promise((r) => setTimeout(r, 100));
          after = await horizon(other);
        }
        expect(after).toBeGreaterThan(heldXid);
      });
    });
  });
});
