import { env } from 'cloudflare:workers';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dataRowFields, RowParser, useRowParser } from '../../src/db/pg-data-rows';

/** A DataRow message: code 'D', int32 length, int16 field count, per field int32 size (-1: NULL) and bytes. */
function dataRow(fields: readonly (string | null)[]): Buffer {
  const parts = fields.map((f) => (f === null ? null : Buffer.from(f, 'utf8')));
  const length = 4 + 2 + parts.reduce((n, p) => n + 4 + (p ? p.length : 0), 0);
  const bytes = Buffer.alloc(1 + length);
  bytes[0] = 0x44;
  bytes.writeUInt32BE(length, 1);
  bytes.writeUInt16BE(fields.length, 5);
  let at = 7;
  for (const part of parts) {
    bytes.writeInt32BE(part ? part.length : -1, at);
    at += 4;
    if (part) at += part.copy(bytes, at);
  }
  return bytes;
}

/** What node-postgres's own parser makes of the same bytes: one decode per field. */
function perField(bytes: Buffer, offset: number): (string | null)[] {
  const count = bytes.readInt16BE(offset);
  const out: (string | null)[] = [];
  let at = offset + 2;
  for (let i = 0; i < count; i++) {
    const size = bytes.readInt32BE(at);
    at += 4;
    out.push(size === -1 ? null : bytes.toString('utf8', at, at + size));
    if (size > 0) at += size;
  }
  return out;
}

const AWKWARD: (string | null)[][] = [
  ['1', '2026-11-20 16:00:00.123456+00', 'plain ascii', null, ''],
  ['ü€😀', 'a"b\\c', '\u0000\u001f\n\t', null],
  // Sizes 128-255 and 32768+: length words with bytes >= 0x80 between ASCII fields.
  ['x'.repeat(200), 'y'.repeat(130), 'z'.repeat(40_000), 'é'.repeat(100)],
  ['x'.repeat(200), 'é', 'x'.repeat(255)],
  [null, null, null],
  [],
  ['{"ip": "192.168.1.10", "nested": {"a": [1, 2.50, null, "\\u00e9"]}}', 'Success'],
  // A field that starts with a multi-byte character right after a length byte >= 0x80.
  ['é'.repeat(100), '€'.repeat(64), '😀'.repeat(33)],
];

describe('DataRow fields, one decode per row', () => {
  it('equal node-postgres’s per-field decoding, byte for byte, at any offset in a buffer', () => {
    for (const fields of AWKWARD) {
      const message = dataRow(fields);
      // Inside a larger chunk, as the parser sees it: other messages' bytes on both sides.
      const chunk = Buffer.concat([Buffer.from([0xff, 0xc3, 0x41]), message, Buffer.from([0xa9, 0x00])]);
      const offset = 3 + 5;
      const length = message.readUInt32BE(1);
      expect(dataRowFields(chunk, offset, length)).toEqual(perField(chunk, offset));
      expect(dataRowFields(chunk, offset, length)).toEqual(fields);
    }
  });

  it('are what a pg.Client given the row parser answers, and its errors still arrive', async () => {
    const proto = RowParser.prototype as unknown as { parse: (...args: unknown[]) => unknown };
    const parse = proto.parse;
    let chunks = 0;
    proto.parse = function (this: unknown, ...args: unknown[]) {
      chunks++;
      return parse.apply(this, args);
    };
    const client = new pg.Client({ connectionString: env.TEST_DATABASE_URL });
    useRowParser(client.connection);
    client.on('error', () => {});
    await client.connect();
    try {
      const values = ['ü€😀', 'x'.repeat(200), 'a"b\\c\n', ''];
      const { rows } = await client.query<{ t: string | null; n: null; i: string }>(
        'SELECT t, NULL AS n, i FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i)',
        [values],
      );
      expect(rows.map((r) => r.t)).toEqual(values);
      expect(rows.map((r) => r.n)).toEqual([null, null, null, null]);
      expect(rows.map((r) => Number(r.i))).toEqual([1, 2, 3, 4]);
      expect(chunks).toBeGreaterThan(0);
      await expect(client.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      proto.parse = parse;
      await client.end();
    }
  });
});
