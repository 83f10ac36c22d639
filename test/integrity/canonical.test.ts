import { describe, expect, it } from 'vitest';
import { numericText } from '../../src/integrity/canonical';
import { ENCODING_STRINGS } from '../helpers/canonical-values';
import { withClient } from '../helpers/sql';

/** The canonical encoding of an event (docs/integrity.md): in SQL (auditevent_canonical) and in JavaScript. */
describe('the canonical encoding (issue 14.1)', () => {
  it('a late event routed to the archive gets its hash in the same statement', async () => {
    await withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`UPDATE auditevents_lifecycle SET archived_before = '2001-01-01T00:00:00Z'`);
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM auditevents_ingest(jsonb_build_array(jsonb_build_object(
             'idx', 0, 'ts', '2000-06-15T12:34:56.789Z', 'functionality', 'Authenticate', 'event_type', 'Login',
             'store_id', 1, 'company_id', 934014, 'username', 'late', 'message', 'late event',
             'status', 'Success', 'additional_data', '{"b": 1.0, "a": 1e3, "c": "x"}'::jsonb)))`,
        );
        const { rows: stored } = await client.query<{ t: string; ok: boolean; canonical: string }>(
          `SELECT tableoid::regclass::text AS t,
                  eventhash = auditevent_hash(id, eventtimestamp, 'Authenticate', 'Login', storelocationid, companyid,
                                              username, message, status, additionaldata, eventid) AS ok,
                  auditevent_canonical(id, eventtimestamp, 'Authenticate', 'Login', storelocationid, companyid,
                                       username, message, status, additionaldata, eventid) AS canonical
             FROM auditevents_archival WHERE id = $1`,
          [rows[0]?.id],
        );
        expect(stored[0]?.t).toMatch(/^auditevents_archival_y2000m06/);
        expect(stored[0]?.ok).toBe(true);
        // jsonb's own normal form, which docs/integrity.md specifies: keys by length then bytes,
        // 1e3 as 1000, 1.0 kept as 1.0, the instant in UTC with microseconds.
        expect(stored[0]?.canonical).toBe(
          `["pyaudit-event/1", "${rows[0]?.id}", "934014", "2000-06-15T12:34:56.789000Z", "Authenticate", "Login", "1", "late", "late event", "Success", {"a": 1000, "b": 1.0, "c": "x"}, null]`,
        );
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });

  it('ingest hashes with the catalogue names the catalogue stores escaped (name_json), also for names to escape', async () => {
    // sql/043: each catalogue row carries its name as a JSON string, which ingest puts into the hash
    // instead of escaping the names of every event; the hash must still be the one of the plain names.
    const functionality = 'Odd "functionality" \\ with\nescapes – ü';
    const eventType = 'type\t"quoted" 😀';
    await withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const { rows: names } = await client.query<{ f: string; t: string }>(
          `WITH f AS (INSERT INTO auditfunctionalities (functionalityname) VALUES ($1) RETURNING *),
                t AS (INSERT INTO auditeventtypes (functionalityid, eventtypename) SELECT functionalityid, $2 FROM f
                      RETURNING *)
           SELECT f.name_json = to_json($1::text)::text AS f, t.name_json = to_json($2::text)::text AS t FROM f, t`,
          [functionality, eventType],
        );
        expect(names[0]).toEqual({ f: true, t: true });
        for (const eventId of [null, '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f']) {
          const { rows } = await client.query<{ id: string; error: string | null }>(
            `SELECT id, error FROM auditevents_ingest(jsonb_build_array(jsonb_build_object(
               'idx', 0, 'ts', now(), 'functionality', $1::text, 'event_type', $2::text, 'store_id', 7,
               'company_id', 934015, 'username', 'u', 'message', 'm', 'status', 'Failed',
               'additional_data', '{"k": [1, "v"]}'::jsonb, 'event_id', $3::uuid)))`,
            [functionality, eventType, eventId],
          );
          expect(rows[0]?.error).toBeNull();
          const { rows: stored } = await client.query<{ ok: boolean }>(
            `SELECT eventhash = auditevent_hash(id, eventtimestamp, $2, $3, storelocationid, companyid, username,
                                                message, status, additionaldata, eventid) AS ok
               FROM auditevents WHERE id = $1`,
            [rows[0]?.id, functionality, eventType],
          );
          expect(stored[0]?.ok, `event_id ${eventId}`).toBe(true);
        }
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });

  it('numbers print as PostgreSQL numeric prints them', () => {
    const cases: [string, string][] = [
      ['1.0', '1.0'],
      ['1e3', '1000'],
      ['1E+2', '100'],
      ['1.50', '1.50'],
      ['1.5e-3', '0.0015'],
      ['1.5e-7', '0.00000015'],
      ['1e+21', '1000000000000000000000'],
      ['-0', '0'],
      ['-0.0', '0.0'],
      ['0.10', '0.10'],
      ['-12.5e1', '-125'],
      ['1.0e1', '10'],
      ['1.23e1', '12.3'],
      ['007', '7'],
    ];
    for (const [input, output] of cases) expect(numericText(input), input).toBe(output);
  });

  it('the JavaScript number normal form agrees with PostgreSQL on the tricky cases', async () => {
    const lexemes = [
      '1.0',
      '1e3',
      '1E+2',
      '1.50',
      '1.5e-3',
      '1.5e-7',
      '1e+21',
      '-0',
      '-0.0',
      '0.10',
      '-12.5e1',
      '1.23e1',
    ];
    await withClient(async (client) => {
      const { rows } = await client.query<{ t: string }>(
        'SELECT (x::jsonb)::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n',
        [lexemes],
      );
      expect(rows.map((r) => r.t)).toEqual(lexemes.map(numericText));
    });
  });

  it('the encoding built by concatenation is byte for byte jsonb_build_array(...)::text, for every kind of value', async () => {
    // sql/functions/integrity.sql builds the canonical text from its pieces; the definition is
    // what jsonb_build_array(...)::text prints (docs/integrity.md section 1). Both are computed
    // here over values that exercise every piece: SQL NULL in every nullable place, escapes,
    // control characters, unicode, / and U+007F, and additional_data of every JSON kind.
    const strings = [null, ...ENCODING_STRINGS];
    const data = [
      null,
      'null',
      '{}',
      '[]',
      '"a string \\"quoted\\""',
      '12.50',
      '-0',
      '1e3',
      'true',
      JSON.stringify({
        zeta: 'z',
        a: 1,
        é: 'ü – 😀 "quoted" back\\slash\nnew line\u0001',
        nested: { bb: [1, 1.5, 1e3, -0, 1.5e-7, 1e21], a: { deeper: [true, false, null, {}] } },
        '😀': null,
        '': 'empty key',
        ab: [],
      }),
      '[1, "two", {"b": null, "a": [false]}]',
    ];
    await withClient(async (client) => {
      const { rows } = await client.query<{ n: string; differ: string; hash_differ: string }>(
        `WITH s AS (SELECT x FROM unnest($1::text[]) AS x),
              d AS (SELECT y::jsonb AS y FROM unnest($2::text[]) AS y),
              -- The two statuses the table allows are written as constants; anything else (NULL,
              -- another case, characters to escape) takes to_json().
              st AS (SELECT x FROM unnest($3::text[]) AS x),
              cases AS (
                SELECT 1042::bigint AS id, TIMESTAMPTZ '2026-11-20 16:00:00.123456+00' AS ts,
                       f.x AS functionality, t.x AS event_type, CASE WHEN f.x IS NULL THEN NULL ELSE 101 END::bigint AS store,
                       5001::bigint AS company, u.x AS username, coalesce(m.x, '') AS message, st.x AS status,
                       d.y AS additional_data, CASE WHEN u.x IS NULL THEN NULL ELSE gen_random_uuid() END AS event_id
                FROM s f, s t, s u, s m, d, st
                WHERE (f.x IS NULL OR t.x IS NULL OR f.x = t.x) AND (u.x IS NULL OR m.x IS NULL OR u.x <> m.x)),
              both_ AS (
                SELECT auditevent_canonical(id, ts, functionality, event_type, store, company, username, message,
                                            status, additional_data, event_id) AS built,
                       jsonb_build_array('pyaudit-event/1', id::text, company::text,
                         to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), functionality, event_type,
                         store::text, username, message, status, additional_data, event_id::text)::text AS reference,
                       auditevent_hash_with_json_names(id, ts, to_json(functionality)::text, to_json(event_type)::text,
                         store, company, username, message, status, additional_data, event_id) AS verify_hash
                FROM cases)
         SELECT count(*) AS n, count(*) FILTER (WHERE built IS DISTINCT FROM reference) AS differ,
                count(*) FILTER (WHERE verify_hash IS DISTINCT FROM sha256(convert_to(reference, 'UTF8'))) AS hash_differ
         FROM both_`,
        [strings, data, ['Success', 'Failed', null, 'success', 'Failed ', 'Fa"il\\ed\n']],
      );
      expect(Number(rows[0]?.n)).toBeGreaterThan(1000);
      expect(rows[0]?.differ).toBe('0');
      expect(rows[0]?.hash_differ).toBe('0');
    });
  });
});
