import { Column, is, SQL, Subquery } from 'drizzle-orm';
import pg from 'pg';
import type { Database } from './client';

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}

/** A drizzle select: its SQL, and the fields it selects in column order. */
interface SelectQuery<Row> extends PromiseLike<Row[]> {
  toSQL(): { sql: string; params: unknown[] };
  _: { selectedFields: Record<string, unknown> };
}

// The type parsers drizzle's pg sessions give node-postgres: times stay PostgreSQL's text.
const RAW_TEXT_TYPES = new Set([1184, 1114, 1082, 1186, 1231, 1115, 1185, 1187, 1182]);
const keepText = (value: string) => value;
const types = {
  getTypeParser: (typeId: number, format?: 'text' | 'binary') =>
    RAW_TEXT_TYPES.has(typeId) ? keepText : pg.types.getTypeParser(typeId, format as 'text'),
};

/**
 * Runs a flat drizzle select (no nested objects) and builds its rows as drizzle would, without
 * drizzle's per-row mapping: node-postgres's array rows are turned into objects by a loop over
 * the columns' decoders, worked out once per query, and columns whose decoder returns the value
 * as is (text, the sql`` columns) are copied. drizzle's mapper does per row and column what is
 * done here once (entity checks, path walks, the left-join bookkeeping that flat selects never
 * use): ~10% of a 500-event page's Worker CPU. Another driver's client (Neon) takes drizzle's
 * way.
 */
export async function selectFlatRows<Row>(db: Database, query: SelectQuery<Row>): Promise<Row[]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (!(client instanceof pg.Client)) return await query;
  // drizzle selects the fields in the order of their keys (orderSelectedFields).
  const columns = Object.entries(query._.selectedFields);
  const keys = columns.map(([key]) => key);
  const decoders = columns.map(([key, field]) => decoderOf(key, field));
  const { sql: text, params } = query.toSQL();
  const result = await client.query<unknown[]>({ text, values: params, rowMode: 'array', types } as never);
  const rows: Row[] = new Array(result.rows.length);
  for (let r = 0; r < result.rows.length; r++) {
    const values = result.rows[r] as unknown[];
    const row: Record<string, unknown> = {};
    for (let c = 0; c < keys.length; c++) {
      const value = values[c];
      const decode = decoders[c];
      row[keys[c] as string] = value === null || decode === undefined ? value : decode(value);
    }
    rows[r] = row as Row;
  }
  return rows;
}

// drizzle keeps the decoder of an sql`` column on an internal field.
type WithDecoder = { decoder: Decoder };
const sqlDecoder = (sql: unknown) => (sql as WithDecoder).decoder;
const noopDecode = sqlDecoder(new SQL([])).mapFromDriverValue;

/**
 * drizzle's choice of decoder (mapResultRow), bound once (a subquery's columns are proxies, whose
 * property reads are traps), or undefined when it returns the value as is.
 */
function decoderOf(key: string, field: unknown): ((value: unknown) => unknown) | undefined {
  let decoder: Decoder;
  if (is(field, Column)) decoder = field;
  else if (is(field, SQL)) decoder = sqlDecoder(field);
  else if (is(field, SQL.Aliased)) decoder = sqlDecoder(field.sql);
  else if (is(field, Subquery)) decoder = sqlDecoder(field._.sql);
  else throw new Error(`selectFlatRows: ${key} is a nested selection`);
  const identity =
    decoder.mapFromDriverValue === Column.prototype.mapFromDriverValue || decoder.mapFromDriverValue === noopDecode;
  return identity ? undefined : decoder.mapFromDriverValue.bind(decoder);
}
