import { describe, expect, it } from 'vitest';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { INTEGRITY, useIntegrityDatabase } from '../../helpers/integrity';

interface Blocks {
  count: number;
  blocks: { seq: number; prev_hash: string; block_hash: string; event_count: number; signature: string }[];
  next_after_seq: number | null;
}

describe.skipIf(isEmbedded)('GET /integrity/blocks', () => {
  const t = useIntegrityDatabase('blocks');
  const blocks = async (search = '') => {
    const response = await call(`${INTEGRITY}/blocks${search}`, { headers: { 'CSIQ-APIKEY': KEY } }, t.env());
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Blocks;
  };

  it('lists the sealed blocks oldest first, chained, a page at a time', async () => {
    const company = uniqueCompanyId();
    await t.sealIncluding(await t.create([event({ company_id: company }), event({ company_id: company })]));
    await t.sealIncluding(await t.create([event({ company_id: company })]));

    const all = await blocks();
    expect(all.blocks.map((b) => [b.seq, b.event_count])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(all.blocks[1]?.prev_hash).toBe(all.blocks[0]?.block_hash);
    expect(all).toMatchObject({ count: 2, next_after_seq: null });
    // Headers, hashes and signatures only: no event data.
    expect(JSON.stringify(all)).not.toContain('User logged in');

    const first = await blocks('?limit=1');
    expect(first).toMatchObject({ count: 1, next_after_seq: 1 });
    const rest = await blocks(`?after_seq=${first.next_after_seq}&limit=1`);
    expect(rest.blocks.map((b) => b.seq)).toEqual([2]);
    expect((await blocks('?after_seq=2')).blocks).toEqual([]);
  });

  it('refuses a bad page with a 422 and a missing key with a 401', async () => {
    const status = async (search: string, headers: Record<string, string> = { 'CSIQ-APIKEY': KEY }) =>
      (await call(`${INTEGRITY}/blocks${search}`, { headers }, t.env())).status;
    expect(await status('?after_seq=-1')).toBe(422);
    expect(await status('?limit=0')).toBe(422);
    expect(await status('?limit=1001')).toBe(422);
    expect(await status('?unknown=1')).toBe(422);
    expect(await status('', {})).toBe(401);
  });
});
