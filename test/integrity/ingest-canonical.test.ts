import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CANONICAL_TEXT_SEPARATOR,
  type IngestedFields,
  ingestCanonicalAfterId,
} from '../../src/integrity/ingest-canonical';
import { ENCODING_STRINGS } from '../helpers/canonical-values';
import { withClient } from '../helpers/sql';

/**
 * The Worker sends the ingest statement each event's encoding after the id, and the statement
 * hashes that instead of building the text (sql/functions/integrity.sql, auditevent_ingest_hash).
 * It must be, byte for byte, what the database builds from what it stores; otherwise the verifier
 * would call an untouched event changed.
 */

const data: unknown[] = [
  null,
  {},
  { '': 'empty key', a: [], nested: { z: 1, y: { x: [true, false, null, {}] } } },
  // Keys jsonb orders by UTF-8 length, then bytes: é is two bytes, 😀 four.
  { é: 1, ab: 2, b: 3, '😀': 4, aa: 5, zzz: 6, 'a"b': '\\', 'new\nline': 'x\u0001' },
  { numbers: [0, -0, 1, -1, 1.5, 0.1, 1e21, 1e20, 123456789012345, 1.5e-7, 5e-324, 1.7976931348623157e308, -2.5e-3] },
  { big: 2 ** 53 + 2, tiny: -1e-10, neg: -0.000001 },
  { text: 'ünï – 😀 "quoted" back\\slash\nnew line\u0001', arr: ['a', 1, null, [2, [3]]] },
  // Built in code (the self-audit's rows): JSON.stringify drops undefined and calls toJSON.
  { kept: 1, dropped: undefined, when: new Date(Date.UTC(2026, 10, 20, 16, 0, 0, 123)) },
];

function rows(): IngestedFields[] {
  const out: IngestedFields[] = [];
  let i = 0;
  for (const text of ENCODING_STRINGS) {
    for (const additional of data) {
      out.push({
        ts: new Date(Date.UTC(2026, 10, 20, 16, 0, 0, i % 1000)).toISOString(),
        functionality: `F ${text}`,
        event_type: `T ${text}`,
        store_id: i % 3 === 0 ? null : 101 + i,
        company_id: 5001 + i,
        username: i % 4 === 0 ? null : `u ${text}`,
        message: `m ${text}`,
        status: i % 2 === 0 ? 'Success' : 'Failed',
        additional_data: additional,
        event_id: i % 5 === 0 ? null : `6F1C2D3E-4B5A-4C6D-8E7F-${String(i).padStart(12, '0')}`,
      });
      i++;
    }
  }
  return out;
}

describe("ingest hashes the Worker's canonical text (issue 14.1)", () => {
  it('the text from the Worker is what the database builds from the stored values, for every kind of value', async () => {
    const all = rows();
    const tails = all.map(ingestCanonicalAfterId);
    expect(tails.every((t) => t !== null)).toBe(true);
    // The values travel as ingest sends them (JSON.stringify, then jsonb), and the database builds
    // the encoding of each from its parsed values, as it does from a stored row.
    await withClient(async (client) => {
      const { rows: built } = await client.query<{ canonical: string }>(
        `SELECT auditevent_canonical(42, (e ->> 'ts')::timestamptz, e ->> 'functionality', e ->> 'event_type',
                  (e ->> 'store_id')::bigint, (e ->> 'company_id')::bigint, e ->> 'username', e ->> 'message',
                  e ->> 'status', CASE WHEN jsonb_typeof(e -> 'additional_data') = 'null' THEN NULL
                                       ELSE e -> 'additional_data' END,
                  (e ->> 'event_id')::uuid) AS canonical
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x (e, n) ORDER BY n`,
        [JSON.stringify(all)],
      );
      expect(built.length).toBe(all.length);
      built.forEach((b, i) => {
        expect(`["pyaudit-event/1", "42", ${tails[i]}`, JSON.stringify(all[i])).toBe(b.canonical);
      });
    });
  });

  it('the statement hashes the text it is given for each event, and builds it itself where it has none', async () => {
    // A made-up text proves the statement takes the Worker's; none proves the fallback.
    // The three store the same content, so no event_id: the second would be a duplicate.
    const row = {
      ...(rows()[3] as IngestedFields),
      event_id: null,
      functionality: 'Authenticate',
      event_type: 'Login',
    };
    await withClient(async (client) => {
      await client.query('BEGIN');
      try {
        // Three events in one call, as ingest sends them: the texts in event order, separated.
        const texts = [ingestCanonicalAfterId(row), '', '"made up"]', 'a text beyond the last event'];
        const { rows: out } = await client.query<{ idx: number; id: string }>(
          'SELECT idx, id FROM auditevents_ingest($1::jsonb, $2::text) ORDER BY idx',
          [JSON.stringify([0, 1, 2].map((idx) => ({ ...row, idx }))), texts.join(CANONICAL_TEXT_SEPARATOR)],
        );
        expect(out.map((r) => r.idx)).toEqual([0, 1, 2]);
        const { rows: stored } = await client.query<{ id: string; hash: string; content: string }>(
          `SELECT id::text, encode(eventhash, 'hex') AS hash,
                  encode(auditevent_content_hash(id, eventtimestamp, functionalityid, eventtypeid, storelocationid,
                           companyid, username, message, status, additionaldata, eventid), 'hex') AS content
             FROM auditevents WHERE id = ANY($1::bigint[]) ORDER BY id`,
          [out.map((r) => r.id)],
        );
        const [fromWorker, none, madeUp] = out.map((r) => stored.find((x) => x.id === String(r.id)));
        expect(fromWorker?.hash).toBe(fromWorker?.content);
        expect(none?.hash).toBe(none?.content);
        expect(madeUp?.hash).toBe(
          createHash('sha256').update(`["pyaudit-event/1", "${madeUp?.id}", "made up"]`).digest('hex'),
        );
        expect(madeUp?.hash).not.toBe(madeUp?.content);
        // Only texts beyond the last event are ignored: an event is stored whatever it carries
        // (here no idx, as a hand-written call may send it).
        const { rows: bare } = await client.query<{ id: string | null }>(
          'SELECT id FROM auditevents_ingest($1::jsonb)',
          [JSON.stringify([{ ...row }])],
        );
        expect(bare.length).toBe(1);
        expect(bare[0]?.id).not.toBeNull();
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });

  it('rows the Worker does not vouch for get no text: the statement builds it', () => {
    const row = rows()[0] as IngestedFields;
    expect(ingestCanonicalAfterId({ ...row, ts: '2026-11-20T16:00:00.123456Z' })).toBeNull();
    expect(ingestCanonicalAfterId({ ...row, ts: '2026-11-20T10:00:00.123-06:00' })).toBeNull();
    expect(ingestCanonicalAfterId({ ...row, company_id: 2 ** 60 })).toBeNull();
    expect(ingestCanonicalAfterId({ ...row, event_id: '{6f1c2d3e-4b5a-4c6d-8e7f-000000000000}' })).toBeNull();
    expect(ingestCanonicalAfterId({ ...row, additional_data: { n: Number.NaN } })).toBeNull();
    expect(ingestCanonicalAfterId({ ...row, additional_data: { n: 1n } })).toBeNull();
  });
});
