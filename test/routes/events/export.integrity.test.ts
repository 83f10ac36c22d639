import { describe, expect, it } from 'vitest';
import { verify as offlineVerify, parseExport } from '../../../scripts/verify.mjs';
import { call, event, isEmbedded, KEY, uniqueCompanyId } from '../../helpers/app';
import { INTEGRITY, sha256Hex, useIntegrityDatabase } from '../../helpers/integrity';

/**
 * Issue 14.4: an NDJSON export with integrity=true carries each event's hash, block and position,
 * and `npm run verify -- --export` checks it offline against the published blocks and key: the
 * untouched file verifies, a line edited in the file is named by line and event id.
 */
describe.skipIf(isEmbedded)('NDJSON export with integrity=true, checked offline (issue 14.4)', () => {
  const t = useIntegrityDatabase('export_integrity');

  const get = (path: string) => call(path, { headers: { 'CSIQ-APIKEY': KEY } }, t.env());
  const exportText = async (query: string) => {
    const response = await get(`/pyaudit/api/audit-events/export?format=ndjson${query}`);
    expect(response.status).toBe(200);
    return new TextDecoder().decode(await response.arrayBuffer());
  };
  const published = async () => ({
    blocks: ((await (await get(`${INTEGRITY}/blocks`)).json()) as { blocks: object[] }).blocks,
    keyTexts: ((await (await get(`${INTEGRITY}/public-key`)).json()) as { keys: { pem: string }[] }).keys.map(
      (k) => k.pem,
    ),
  });

  /** Two sealed blocks of three events and one event not sealed yet, with awkward content. */
  async function trail(company: number) {
    const make = (i: number) =>
      event({
        company_id: company,
        message: `event ${i} "quoted" \\ é 😀\n`,
        event_id: i === 1 ? crypto.randomUUID() : undefined,
        store_id: i === 2 ? null : 101,
        user: i === 2 ? null : 'jdoe',
        additional_data: i === 0 ? null : { n: i, z: 1.5, big: 1e21, tiny: 1.5e-7, nested: { ü: [true, null, 'x'] } },
      });
    const first = await t.create([make(0), make(1), make(2)]);
    await t.sealIncluding(first);
    const second = await t.create([make(3), make(4), make(5)]);
    await t.sealIncluding(second);
    const unsealed = await t.create([make(6)]);
    return { first, second, unsealed };
  }

  it('adds Integrity to each line and nothing else; without the parameter the file is as before', async () => {
    const company = uniqueCompanyId();
    const { first, second, unsealed } = await trail(company);
    const plain = await exportText(`&company_id=${company}`);
    const withIntegrity = await exportText(`&company_id=${company}&integrity=true`);
    const plainLines = plain.trimEnd().split('\n');
    const lines = withIntegrity
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown> & { Id: number; Integrity: Record<string, unknown> });
    expect(plainLines.map((l) => 'Integrity' in JSON.parse(l))).toEqual(Array(7).fill(false));
    // The same bytes with the Integrity member removed.
    expect(lines.map(({ Integrity: _, ...rest }) => JSON.stringify(rest))).toEqual(plainLines);

    const stored = await t.sql<{ id: string; hash: string; position: string }>(
      `SELECT id::text, encode(eventhash, 'hex') AS hash, writexid::text || ':' || id AS position
       FROM auditevents WHERE companyid = $1`,
      [company],
    );
    const blockOf = new Map<number | undefined, number | null>([
      ...first.map((id): [number, number] => [id, 1]),
      ...second.map((id): [number, number] => [id, 2]),
      [unsealed[0], null],
    ]);
    for (const line of lines) {
      const row = stored.find((r) => Number(r.id) === line.Id);
      expect(line.Integrity).toEqual({
        utc_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
        client_event_id: line.Id === first[1] ? expect.stringMatching(/^[0-9a-f-]{36}$/) : null,
        event_hash: row?.hash,
        block: blockOf.get(line.Id),
        position: row?.position,
      });
    }
  });

  it('npm run verify --export: the untouched export verifies; an edited line is named', async () => {
    const company = uniqueCompanyId();
    const { first } = await trail(company);
    const { blocks, keyTexts } = await published();
    const text = await exportText(`&company_id=${company}&integrity=true`);
    const exportLines = parseExport(text);
    expect(await offlineVerify({ keyTexts, blocks, proofs: [], exportLines })).toEqual({
      ok: true,
      blocks: 2,
      proofs: 0,
      events: 7,
      events_sealed: 6,
      events_proven: 6,
      complete_blocks: 2,
      failures: [],
    });

    // One line's message edited in the file.
    const lines = text.trimEnd().split('\n');
    const target = lines.findIndex((l) => JSON.parse(l).Id === first[1]);
    lines[target] = (lines[target] as string).replace('event 1', 'event 9');
    const edited = await offlineVerify({ keyTexts, blocks, proofs: [], exportLines: parseExport(lines.join('\n')) });
    expect(edited.ok).toBe(false);
    expect(edited.failures).toEqual([{ line: target + 1, block: 1, event_id: first[1], reason: 'event_changed' }]);

    // The same edit with the line's hash recomputed to match: the block's root no longer does.
    const forged = JSON.parse(lines[target] as string);
    const { Integrity: _, ...content } = forged;
    const { canonicalEvent } = await import('../../../src/integrity/canonical');
    forged.Integrity.event_hash = sha256Hex(
      canonicalEvent({
        id: content.Id,
        companyId: content.CompanyId,
        utcInstant: forged.Integrity.utc_time,
        functionality: content.Functionality,
        eventType: content.EventType,
        storeId: content.StoreLocationID,
        username: content.UserName,
        message: content.Message,
        status: content.Status,
        additionalData: content.AdditionalData,
        eventId: forged.Integrity.client_event_id,
      }),
    );
    lines[target] = JSON.stringify(forged);
    const rehashed = await offlineVerify({ keyTexts, blocks, proofs: [], exportLines: parseExport(lines.join('\n')) });
    expect(rehashed.failures).toEqual([{ line: null, block: 1, event_id: null, reason: 'root_mismatch' }]);

    // A displayed time edited, and a line claiming a block the chain does not have.
    const times = text.trimEnd().split('\n');
    const moved = JSON.parse(times[0] as string);
    moved.EventTimestamp = moved.EventTimestamp.replace(/\d\d$/, (s: string) =>
      String((Number(s) + 1) % 60).padStart(2, '0'),
    );
    times[0] = JSON.stringify(moved);
    const claimed = JSON.parse(times[1] as string);
    claimed.Integrity.block = 7;
    times[1] = JSON.stringify(claimed);
    const report = await offlineVerify({ keyTexts, blocks, proofs: [], exportLines: parseExport(times.join('\n')) });
    expect(report.failures).toEqual(
      expect.arrayContaining([
        { line: 1, block: moved.Integrity.block, event_id: moved.Id, reason: 'event_changed' },
        { line: 2, block: 7, event_id: claimed.Id, reason: 'block_not_verified' },
      ]),
    );
  });

  it('a filtered export holds part of a block: its events are proven by their proofs', async () => {
    const company = uniqueCompanyId();
    const other = uniqueCompanyId();
    const ids = await t.create([event({ company_id: company }), event({ company_id: other, message: 'other' })]);
    await t.sealIncluding(ids);
    const { blocks, keyTexts } = await published();
    const exportLines = parseExport(await exportText(`&company_id=${company}&integrity=true`));
    const report = await offlineVerify({ keyTexts, blocks, proofs: [], exportLines });
    expect(report).toMatchObject({ ok: true, events: 1, events_sealed: 1, events_proven: 0, complete_blocks: 0 });

    const proof = (await (await get(`${INTEGRITY}/proof?id=${ids[0]}`)).json()) as object;
    expect(await offlineVerify({ keyTexts, blocks, proofs: [proof], exportLines })).toMatchObject({
      ok: true,
      events_proven: 1,
    });
  });

  it('a row changed in the database after sealing is named in the export too', async () => {
    const company = uniqueCompanyId();
    const { second } = await trail(company);
    await t.sql('UPDATE auditevents SET message = $2 WHERE id = $1', [second[0], 'nothing happened here']);
    const { blocks, keyTexts } = await published();
    const exportLines = parseExport(await exportText(`&company_id=${company}&integrity=true`));
    const report = await offlineVerify({ keyTexts, blocks, proofs: [], exportLines });
    const line = exportLines.find((l) => l.event.Id === second[0])?.line;
    expect(report.failures).toEqual([{ line, block: 2, event_id: second[0], reason: 'event_changed' }]);
  });
});
