import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import { blockHash, blockHeaderText, GENESIS_PREV_HASH } from '../../../src/integrity/block-header';
import { fromHex, merkleRoot, toHex } from '../../../src/integrity/merkle';
import { parsePublicKey, verifyText } from '../../../src/integrity/signing';
import { SEAL_CRON } from '../../../src/maintenance/scheduled';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { INTEGRITY, useIntegrityDatabase } from '../../helpers/integrity';
import { withClient } from '../../helpers/sql';

interface PublishedBlock {
  seq: number;
  prev_hash: string;
  merkle_root: string;
  event_count: number;
  block_hash: string;
  signature: string;
  key_id: string;
  [field: string]: unknown;
}

describe.skipIf(isEmbedded)('sealed blocks (issue 14.2)', () => {
  const t = useIntegrityDatabase('seal');

  const someEvents = (n: number, company = uniqueCompanyId()) =>
    Array.from({ length: n }, (_, i) => event({ company_id: company, message: `event ${i}` }));

  async function published(): Promise<PublishedBlock[]> {
    const response = await call(`${INTEGRITY}/blocks`, { headers: { 'CSIQ-APIKEY': KEY } }, t.env());
    expect(response.status).toBe(200);
    return ((await response.json()) as { blocks: PublishedBlock[] }).blocks;
  }

  it('seals new events into a signed block chained to the one before; a seal with nothing new makes no block', async () => {
    const ids = await t.create(someEvents(3));
    expect(await t.sealIncluding(ids)).toEqual([1]);
    expect((await t.sealed()).map((r) => Number(r.event_id)).sort()).toEqual([...ids].sort());

    // Nothing new: no empty block.
    expect(await t.seal()).toEqual({ status: 'nothing', blocks: [], events: 0, more: false });

    const more = await t.create(someEvents(2));
    expect(await t.sealIncluding(more)).toEqual([2]);
    const [one, two] = await published();
    expect(one?.prev_hash).toBe(GENESIS_PREV_HASH);
    expect(two?.prev_hash).toBe(one?.block_hash);
    expect(two?.event_count).toBe(2);

    // The published header reproduces its hash and signature with the published key, and the
    // root is the RFC 6962 root of the stored event hashes in leaf order.
    const keys = (await (
      await call(`${INTEGRITY}/public-key`, { headers: { 'CSIQ-APIKEY': KEY } }, t.env())
    ).json()) as {
      keys: { key_id: string; pem: string }[];
    };
    const { signature, block_hash, ...header } = two as PublishedBlock;
    const text = blockHeaderText(header as never);
    expect(blockHash(header as never)).toBe(block_hash);
    const key = await parsePublicKey(keys.keys.find((k) => k.key_id === header.key_id)?.pem ?? '');
    expect(
      await verifyText(
        key,
        text,
        Uint8Array.from(atob(signature), (c) => c.charCodeAt(0)),
      ),
    ).toBe(true);
    const stored = await t.sql<{ h: string }>(
      `SELECT encode(e.eventhash, 'hex') AS h FROM integrity_block_events m
         JOIN auditevents e ON e.id = m.event_id WHERE m.block_seq = 2 ORDER BY m.ord`,
    );
    expect(stored.length).toBe(more.length);
    expect(toHex(merkleRoot(stored.map((r) => fromHex(r.h))))).toBe(header.merkle_root);
  });

  it('an event whose transaction commits late lands in a later block, never skipped', async () => {
    const first = await t.create(someEvents(2));
    await withClient(async (late) => {
      await late.query('BEGIN');
      const { rows } = await late.query<{ id: string }>(
        `SELECT id FROM auditevents_ingest(jsonb_build_array(jsonb_build_object(
           'idx', 0, 'ts', now() - interval '1 minute', 'functionality', 'Authenticate', 'event_type', 'Login',
           'store_id', 1, 'company_id', 4242, 'username', 'late', 'message', 'committed late',
           'status', 'Success', 'additional_data', null)))`,
      );
      const lateId = Number(rows[0]?.id);
      // Stored after the late one began, committed before it: a higher id, yet also held back,
      // because the open transaction keeps the commit horizon below both.
      const after = await t.create(someEvents(1));
      expect(after[0]).toBeGreaterThan(lateId);

      expect(await t.sealIncluding(first)).toEqual([1]);
      // The late transaction is still open: neither it nor the event stored after it is sealed.
      expect((await t.sealed()).map((r) => Number(r.event_id)).sort()).toEqual([...first].sort());

      await late.query('COMMIT');
      expect(await t.sealIncluding([lateId, ...after])).toEqual([2]);
      const sealed = await t.sealed();
      expect(
        sealed
          .filter((r) => r.block_seq === '2')
          .map((r) => Number(r.event_id))
          .sort(),
      ).toEqual([lateId, ...after].sort());
    }, t.db.url);
    expect((await t.verify()).ok).toBe(true);
  });

  it('concurrent ingest while sealing loses and double-seals nothing', async () => {
    const company = uniqueCompanyId();
    const created: number[] = [];
    let writing = true;
    const writers = Array.from({ length: 2 }, async () => {
      for (let round = 0; round < 5; round++) created.push(...(await t.create(someEvents(10, company))));
    });
    const sealers = Array.from({ length: 2 }, async () => {
      const statuses: string[] = [];
      while (writing) statuses.push((await t.seal({ INTEGRITY_BLOCK_MAX_EVENTS: '7' })).status);
      return statuses;
    });
    await Promise.all(writers);
    writing = false;
    await Promise.all(sealers);
    // Whatever was still waiting (bounded: a bug must fail the test, not spin).
    await t.sealIncluding(created, { INTEGRITY_BLOCK_MAX_EVENTS: '7' });

    const sealed = (await t.sealed()).map((r) => Number(r.event_id));
    expect(sealed.length).toBe(created.length);
    expect(new Set(sealed).size).toBe(sealed.length);
    expect([...sealed].sort((a, b) => a - b)).toEqual([...created].sort((a, b) => a - b));
    const seqs = (
      await t.sql<{ seq: string }>('SELECT seq::text FROM integrity_blocks ORDER BY integrity_blocks.seq')
    ).map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const report = await t.verify();
    expect(report.failures).toEqual([]);
    expect(report.events).toBe(created.length);
    // More than 9 blocks: seq 10 must follow 9 (seq is compared as a number, never as text).
    expect(seqs.length).toBeGreaterThan(10);
  }, 180_000);

  it('the every-minute Cron Trigger seals', async () => {
    const ids = await t.create(someEvents(4));
    // The cron itself, until the horizon has passed our events (bounded, as sealIncluding).
    for (let attempt = 0; attempt < 240 && (await t.sealed()).length < 4; attempt++) {
      const controller = createScheduledController({ cron: SEAL_CRON, scheduledTime: Date.now() });
      const ctx = createExecutionContext();
      await worker.scheduled(controller, { ...env, ...t.env() } as Env, ctx);
      await waitOnExecutionContext(ctx);
      if ((await t.sealed()).length < 4) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await t.sealed()).map((r) => Number(r.event_id)).sort()).toEqual([...ids].sort());
  });

  it('without a signing key the seal route says so (503) and seals nothing', async () => {
    await t.create(someEvents(1));
    const response = await call(
      '/pyaudit/api/admin/integrity/seal',
      { method: 'POST', headers: { 'CSIQ-APIKEY': KEY } },
      t.env({ INTEGRITY_SIGNING_KEY: '' }),
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      detail: 'Integrity sealing is not configured: set the INTEGRITY_SIGNING_KEY secret',
    });
    expect(await t.sealed()).toHaveLength(0);
  });
});
