import { describe, expect, it } from 'vitest';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { useIntegrityDatabase } from '../../helpers/integrity';

/** The middle of the month `months` before the current one, as ISO (clear of any month edge); 0 = a minute ago. */
function monthsAgo(months: number): string {
  const now = new Date();
  if (months === 0) return new Date(now.getTime() - 60_000).toISOString();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 15, 12)).toISOString();
}

/** Archival and hard deletion with sealed events (issue 14.5, docs/integrity.md section 5). */
describe.skipIf(isEmbedded)('verify across the lifecycle: archive, deletion by policy (issue 14.5)', () => {
  const t = useIntegrityDatabase('verify_lifecycle', { reset: false });

  it('archived events still verify; a dropped archive month is deleted by policy, a row deleted by hand is not', async () => {
    const company = uniqueCompanyId();
    const at = (months: number, i: number) =>
      event({ company_id: company, event_timestamp: monthsAgo(months), message: `${months} months ago #${i}` });
    const archived = await t.create([at(15, 0), at(15, 1), at(15, 2)]);
    const dropped = await t.create([at(40, 0), at(40, 1)]);
    const live = await t.create([at(0, 0)]);
    await t.sealIncluding([...archived, ...dropped, ...live]);
    expect(await t.verify()).toMatchObject({ ok: true, events: 6 });

    // The monthly maintenance: archive past 12 months, drop archive months past 36.
    const run = await call(
      '/pyaudit/api/admin/maintenance/run',
      { method: 'POST', headers: { 'CSIQ-APIKEY': KEY } },
      t.env({ RETENTION_MONTHS: '12', ARCHIVE_RETENTION_MONTHS: '36' }),
    );
    expect(run.status).toBe(200);
    const [counts] = await t.sql<{ archived: string; gone: string }>(
      `SELECT (SELECT count(*) FROM auditevents_archival WHERE id = ANY($1::bigint[]))::text AS archived,
              (SELECT count(*) FROM integrity_event_rows WHERE id = ANY($2::bigint[]))::text AS gone`,
      [archived, dropped],
    );
    expect(counts).toEqual({ archived: '3', gone: '0' });
    const deletions = await t.sql<{ partition: string; sealed_block: string | null }>(
      'SELECT partition, sealed_block::text FROM integrity_deletions',
    );
    expect(deletions.length).toBeGreaterThanOrEqual(1);
    expect(deletions.every((d) => d.sealed_block === null)).toBe(true);

    // Before a seal signs the deletion record, the dropped events are plain missing events.
    const unsigned = await t.verify();
    expect(unsigned.failures.map((f) => f.reason)).toEqual(['event_missing', 'event_missing']);

    // The next seal signs the record (a block with no events), and the trail verifies again.
    const sealed = await t.seal();
    expect(sealed).toMatchObject({ status: 'sealed', events: 0 });
    const report = await t.verify();
    expect(report).toMatchObject({ ok: true, deleted_by_policy: 2, failures: [] });

    // A row deleted by hand from the archive is not covered by any deletion record.
    await t.sql('DELETE FROM auditevents_archival WHERE id = $1', [archived[1]]);
    const tampered = await t.verify();
    expect(tampered.failures).toEqual([{ block: 1, event_id: archived[1], reason: 'event_missing' }]);
    expect(tampered.deleted_by_policy).toBe(2);

    // A deletion record forged afterwards to cover it breaks the block that signed the records.
    const [signer] = await t.sql<{ seq: string }>('SELECT max(sealed_block)::text AS seq FROM integrity_deletions');
    await t.sql(
      `INSERT INTO integrity_deletions (partition, range_from, range_to, drop_before, sealed_block)
       VALUES ('auditevents_archival_cover', now() - interval '20 months', now() - interval '10 months', now(), $1)`,
      [signer?.seq],
    );
    const forged = await t.verify();
    expect(forged.failures).toContainEqual({
      block: Number(signer?.seq),
      event_id: null,
      reason: 'deletions_mismatch',
    });
  });
});
