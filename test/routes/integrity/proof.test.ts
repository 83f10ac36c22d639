import { describe, expect, it } from 'vitest';
import { verify as offlineVerify } from '../../../scripts/verify.mjs';
import { blockHash, blockHeaderText } from '../../../src/integrity/block-header';
import { fromHex, leafHash, rootFromAuditPath, sha256, toHex } from '../../../src/integrity/merkle';
import { parsePublicKey, verifyText } from '../../../src/integrity/signing';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { INTEGRITY, useIntegrityDatabase } from '../../helpers/integrity';

interface Proof {
  event_id: number;
  canonical: string;
  event_hash: string;
  leaf_index: number;
  tree_size: number;
  audit_path: string[];
  block: Record<string, unknown> & { seq: number; merkle_root: string; block_hash: string; signature: string };
}

describe.skipIf(isEmbedded)('inclusion proofs and the offline verifier (issue 14.3, 14.4)', () => {
  const t = useIntegrityDatabase('proof');

  const get = (path: string, key = KEY) => call(path, { headers: { 'CSIQ-APIKEY': key } }, t.env());

  async function companyKey(company: number): Promise<string> {
    const response = await call(
      '/pyaudit/api/admin/keys',
      {
        method: 'POST',
        headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name: `proof-${crypto.randomUUID().slice(0, 8)}`,
          scopes: ['events:read'],
          companies: [company],
        }),
      },
      t.env(),
    );
    expect(response.status).toBe(201);
    return ((await response.json()) as { key: string }).key;
  }

  it("a company-bound key proves its own event, and learns nothing of another company's", async () => {
    const mine = uniqueCompanyId();
    const theirs = uniqueCompanyId();
    const ids = await t.create(
      Array.from({ length: 11 }, (_, i) => event({ company_id: i % 3 === 0 ? mine : theirs, message: `m${i}` })),
    );
    await t.sealIncluding(ids);
    const key = await companyKey(mine);

    const response = await get(`${INTEGRITY}/proof?id=${ids[3]}`, key);
    expect(response.status).toBe(200);
    const proof = (await response.json()) as Proof;
    expect(proof).toMatchObject({ event_id: ids[3], leaf_index: expect.any(Number), tree_size: 11 });
    // What the event says hashes to the sealed hash, and the path leads to the signed root.
    expect(JSON.parse(proof.canonical)[1]).toBe(String(ids[3]));
    expect(toHex(sha256(new TextEncoder().encode(proof.canonical)))).toBe(proof.event_hash);
    const root = rootFromAuditPath(
      proof.leaf_index,
      proof.tree_size,
      leafHash(fromHex(proof.event_hash)),
      proof.audit_path.map(fromHex),
    );
    expect(root && toHex(root)).toBe(proof.block.merkle_root);
    const { block_hash, signature, ...header } = proof.block;
    expect(blockHash(header as never)).toBe(block_hash);
    const keys = (await (await get(`${INTEGRITY}/public-key`, key)).json()) as { keys: { pem: string }[] };
    const publicKey = await parsePublicKey(keys.keys[0]?.pem ?? '');
    expect(
      await verifyText(
        publicKey,
        blockHeaderText(header as never),
        Uint8Array.from(atob(signature), (c) => c.charCodeAt(0)),
      ),
    ).toBe(true);
    // No other event's content: only hashes in the path.
    expect(JSON.stringify(proof)).not.toContain('m1"');

    // Someone else's event: the same 404 as a missing id.
    const other = await get(`${INTEGRITY}/proof?id=${ids[1]}`, key);
    expect(other.status).toBe(404);
    const missing = await get(`${INTEGRITY}/proof?id=999999999`, key);
    expect(missing.status).toBe(404);
    expect(((await other.json()) as { detail: string }).detail).toBe(`Event ${ids[1]} not found`);
    // Whole-trail verification is for keys with every company.
    expect((await get(`${INTEGRITY}/verify`, key)).status).toBe(403);
    // Blocks and the key are public to any reader.
    expect((await get(`${INTEGRITY}/blocks`, key)).status).toBe(200);
  });

  it('an event not sealed yet: 409; a bad id: 422', async () => {
    const [id] = await t.create([event({ company_id: uniqueCompanyId() })]);
    expect((await get(`${INTEGRITY}/proof?id=${id}`)).status).toBe(409);
    expect((await get(`${INTEGRITY}/proof?id=abc`)).status).toBe(422);
    expect((await get(`${INTEGRITY}/proof`)).status).toBe(422);
  });

  it('npm run verify (scripts/verify.mjs) accepts the published blocks and proofs, and names a forgery', async () => {
    const company = uniqueCompanyId();
    const ids: number[] = [];
    for (let round = 0; round < 3; round++) {
      const round_ids = await t.create(
        Array.from({ length: 5 }, (_, i) => event({ company_id: company, message: `r${round} e${i}` })),
      );
      await t.sealIncluding(round_ids);
      ids.push(...round_ids);
    }
    const blocks = ((await (await get(`${INTEGRITY}/blocks`)).json()) as { blocks: Proof['block'][] }).blocks;
    const keyTexts = ((await (await get(`${INTEGRITY}/public-key`)).json()) as { keys: { pem: string }[] }).keys.map(
      (k) => k.pem,
    );
    const proofs = await Promise.all(
      [ids[0], ids[7], ids[14]].map(async (id) => (await (await get(`${INTEGRITY}/proof?id=${id}`)).json()) as Proof),
    );
    expect(await offlineVerify({ keyTexts, blocks, proofs })).toEqual({ ok: true, blocks: 3, proofs: 3, failures: [] });

    // A proof whose event text was changed, and a block list with one block dropped.
    const forged = { ...(proofs[1] as Proof), canonical: (proofs[1] as Proof).canonical.replace('r1 e2', 'r1 e9') };
    const report = await offlineVerify({
      keyTexts,
      blocks: [blocks[0] as Proof['block'], blocks[2] as Proof['block']],
      proofs: [forged],
    });
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { block: 2, reason: 'block_missing' },
        { block: 2, event_id: ids[7], reason: 'event_changed' },
        { block: 2, event_id: ids[7], reason: 'block_not_verified' },
      ]),
    );
  });
});
