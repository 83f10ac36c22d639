import { describe, expect, it } from 'vitest';
import { blockHash, blockHeaderText } from '../../../src/integrity/block-header';
import { bytesToBase64, parseSigningKey, signText } from '../../../src/integrity/signing';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { INTEGRITY, type IntegrityDatabase, useIntegrityDatabase } from '../../helpers/integrity';
import { OTHER_INTEGRITY_SIGNING_KEY } from '../../helpers/integrity-key';

/**
 * Tampering as a database administrator could, through SQL, and verification naming each change
 * (issue 14.3, "Done when"). Every test starts from an empty database of this file's own.
 */
describe.skipIf(isEmbedded)('verify: tampering through SQL is named exactly (issue 14.3)', () => {
  const t = useIntegrityDatabase('verify');

  /** Two sealed blocks of three events each, and their ids. */
  async function sealedTrail(): Promise<number[]> {
    const company = uniqueCompanyId();
    const make = (i: number) => event({ company_id: company, message: `event ${i}`, additional_data: { n: i } });
    const first = await t.create([make(0), make(1), make(2)]);
    expect(await t.sealIncluding(first)).toEqual([1]);
    const second = await t.create([make(3), make(4), make(5)]);
    expect(await t.sealIncluding(second)).toEqual([2]);
    return [...first, ...second];
  }

  const reasons = (report: Awaited<ReturnType<IntegrityDatabase['verify']>>) =>
    report.failures.map((f) => `${f.block}/${f.event_id}/${f.reason}`).sort();

  it('an untouched trail verifies: every block, every event', async () => {
    await sealedTrail();
    expect(await t.verify()).toEqual({
      ok: true,
      blocks: 2,
      events: 6,
      deleted_by_policy: 0,
      failures: [],
      failures_truncated: false,
    });
  });

  /** Recomputes an event's stored hash for the text it now has, as an administrator covering up would. */
  const REHASH = `auditevent_content_hash(id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
                                          username, message, status, additionaldata, eventid)`;

  /**
   * Tampering of a sealed trail (two blocks of three events, `ids` in order) by SQL statements,
   * and the failures verification must name, as block/event/reason.
   */
  const TAMPERING: {
    name: string;
    statements: [text: string, params?: (ids: number[]) => unknown[]][];
    named: (ids: number[]) => string[];
  }[] = [
    {
      name: 'a message updated in place',
      statements: [['UPDATE auditevents SET message = $2 WHERE id = $1', (ids) => [ids[1], 'nothing happened here']]],
      named: (ids) => [`1/${ids[1]}/event_changed`],
    },
    {
      name: 'a message updated with its stored hash recomputed to match',
      statements: [
        ["UPDATE auditevents SET message = 'covered up' WHERE id = $1", (ids) => [ids[4]]],
        [`UPDATE auditevents SET eventhash = ${REHASH} WHERE id = $1`, (ids) => [ids[4]]],
      ],
      named: (ids) => [`2/${ids[4]}/event_changed`],
    },
    {
      name: 'only the stored hash column edited',
      statements: [[`UPDATE auditevents SET eventhash = sha256('x'::bytea) WHERE id = $1`, (ids) => [ids[0]]]],
      named: (ids) => [`1/${ids[0]}/event_hash_changed`],
    },
    {
      name: 'a row deleted',
      statements: [['DELETE FROM auditevents WHERE id = $1', (ids) => [ids[2]]]],
      named: (ids) => [`1/${ids[2]}/event_missing`],
    },
    {
      name: "a block's previous hash edited",
      statements: [[`UPDATE integrity_blocks SET prev_hash = sha256('elsewhere'::bytea) WHERE seq = 2`]],
      named: () => ['2/null/bad_signature', '2/null/block_hash_mismatch', '2/null/chain_broken'],
    },
    {
      // The header no longer hashes to its stored hash nor verifies against its signature, no
      // longer matches its manifest, and the next block's link now points at a different header.
      name: "a block's signed count edited",
      statements: [['UPDATE integrity_blocks SET event_count = event_count - 1 WHERE seq = 1']],
      named: () => [
        '1/null/bad_signature',
        '1/null/block_hash_mismatch',
        '1/null/count_mismatch',
        '2/null/chain_broken',
      ],
    },
    {
      name: "a block's manifest edited to match an edited event",
      statements: [
        ["UPDATE auditevents SET message = 'rewritten' WHERE id = $1", (ids) => [ids[0]]],
        [`UPDATE auditevents SET eventhash = ${REHASH} WHERE id = $1`, (ids) => [ids[0]]],
        [
          'UPDATE integrity_block_events m SET eventhash = e.eventhash FROM auditevents e WHERE e.id = m.event_id AND e.id = $1',
          (ids) => [ids[0]],
        ],
      ],
      named: () => ['1/null/root_mismatch'],
    },
  ];

  it.each(TAMPERING)('$name', async ({ statements, named }) => {
    const ids = await sealedTrail();
    for (const [text, params] of statements) await t.sql(text, params?.(ids));
    const report = await t.verify();
    expect(report.ok).toBe(false);
    expect(reasons(report)).toEqual(named(ids));
  });

  it('a row inserted into a sealed block with a made-up hash', async () => {
    const ids = await sealedTrail();
    // Block 2 covers the positions after block 1's last (writexid, id) up to its own last: a new
    // id with block 1's writexid sorts after block 1's end and before block 2's, so inside block 2.
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO auditevents (id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username,
                                message, status, additionaldata, eventhash, writexid)
       SELECT nextval('auditevents_id_seq'), eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
              username, 'an event that never happened', status, additionaldata, sha256('made up'::bytea), writexid
       FROM auditevents WHERE id = $1
       RETURNING id::text`,
      [ids[0]],
    );
    expect(reasons(await t.verify())).toEqual([`2/${row?.id}/event_inserted`]);
  });

  it('a row inserted after the last block with a made-up hash (not sealed yet)', async () => {
    await sealedTrail();
    const [row] = await t.sql<{ id: string }>(
      `INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, companyid, message, eventhash)
       SELECT now(), functionalityid, eventtypeid, 77, 'slipped in', sha256('made up'::bytea) FROM auditevents LIMIT 1
       RETURNING id::text`,
    );
    expect(reasons(await t.verify())).toEqual([`null/${row?.id}/event_hash_mismatch`]);
  });

  it('a block deleted', async () => {
    await sealedTrail();
    expect(await t.sealIncluding(await t.create([event({ company_id: 5, message: 'third block' })]))).toEqual([3]);
    await t.sql('DELETE FROM integrity_block_events WHERE block_seq = 2');
    await t.sql('DELETE FROM integrity_blocks WHERE seq = 2');
    expect(reasons(await t.verify())).toEqual(['2/null/block_missing']);
  });

  it('the chain re-signed with another key', async () => {
    await sealedTrail();
    const other = await parseSigningKey(OTHER_INTEGRITY_SIGNING_KEY);
    // Rebuild every header with the other key's id, chain and sign it: a perfect forgery but for the key.
    let prev = '0'.repeat(64);
    for (const seq of [1, 2]) {
      const response = await call(
        `${INTEGRITY}/blocks?after_seq=${seq - 1}&limit=1`,
        { headers: { 'CSIQ-APIKEY': KEY } },
        t.env(),
      );
      const [block] = ((await response.json()) as { blocks: Record<string, unknown>[] }).blocks;
      const { block_hash: _h, signature: _s, ...header } = block as Record<string, unknown>;
      const forged = { ...header, prev_hash: prev, key_id: other.keyId } as never;
      const signature = await signText(other, blockHeaderText(forged));
      prev = blockHash(forged);
      await t.sql(
        `UPDATE integrity_blocks SET key_id = $2, prev_hash = decode($3, 'hex'), block_hash = decode($4, 'hex'),
                signature = decode($5, 'base64') WHERE seq = $1`,
        [seq, other.keyId, (forged as { prev_hash: string }).prev_hash, prev, bytesToBase64(signature)],
      );
    }
    expect(reasons(await t.verify())).toEqual(['1/null/unknown_key', '2/null/unknown_key']);
    // Trusting the other key's public half (INTEGRITY_PUBLIC_KEYS) is what would accept it.
    const trusted = await t.verify('', { INTEGRITY_PUBLIC_KEYS: bytesToBase64(other.publicKey.raw) });
    expect(trusted.ok).toBe(true);
  });

  it('the date range picks the blocks whose events meet it', async () => {
    const company = uniqueCompanyId();
    await t.sealIncluding(await t.create([event({ company_id: company, event_timestamp: '2026-03-10T12:00:00Z' })]));
    await t.sealIncluding(await t.create([event({ company_id: company, event_timestamp: '2026-06-10T12:00:00Z' })]));
    const march = await t.verify('?from_date=03-01-2026&to_date=03-31-2026');
    expect(march).toMatchObject({ ok: true, blocks: 1, events: 1 });
    const bad = await call(`${INTEGRITY}/verify?from_date=yesterday`, { headers: { 'CSIQ-APIKEY': KEY } }, t.env());
    expect(bad.status).toBe(422);
  });
});
