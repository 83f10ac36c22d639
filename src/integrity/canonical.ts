/**
 * The canonical encoding of an event (docs/integrity.md), recomputed outside PostgreSQL.
 *
 * The database computes it as `jsonb_build_array(...)::text` (sql/functions/integrity.sql);
 * this is the same text, built from the event's values: PostgreSQL's jsonb output format.
 * Self-contained (no imports) so the offline verifier (scripts/verify.mjs) loads it directly.
 */

export const EVENT_ENCODING = 'pyaudit-event/1';

/** What an event says, as the canonical encoding takes it. */
export interface CanonicalEventFields {
  id: number | string;
  companyId: number | string;
  /** The instant as YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC, microseconds). */
  utcInstant: string;
  functionality: string;
  eventType: string;
  storeId: number | string | null;
  username: string | null;
  message: string;
  status: string;
  additionalData: unknown;
  eventId: string | null;
}

const intText = (v: number | string | null) => (v === null ? null : String(v));

export function canonicalEvent(e: CanonicalEventFields): string {
  return `["${EVENT_ENCODING}", ${jsonbText(intText(e.id))}, ${canonicalAfterId(e)}`;
}

/**
 * The encoding from the element after the id to the closing bracket: what the Worker hands the
 * ingest statement, which puts `["pyaudit-event/1", "<id>", ` in front once the sequence has
 * given the id (sql/functions/integrity.sql, auditevent_ingest_hash; docs/integrity.md).
 */
export function canonicalAfterId(e: Omit<CanonicalEventFields, 'id'>): string {
  // The elements concatenated as jsonbText([...]) would join them, without the array (the Worker
  // builds this for every event it stores).
  return (
    `${jsonbText(intText(e.companyId))}, ${jsonbText(e.utcInstant)}, ${jsonbText(e.functionality)}, ` +
    `${jsonbText(e.eventType)}, ${jsonbText(intText(e.storeId))}, ${jsonbText(e.username)}, ${jsonbText(e.message)}, ` +
    `${jsonbText(e.status)}, ${jsonbText(e.additionalData ?? null)}, ${jsonbText(e.eventId)}]`
  );
}

/** A millisecond UTC instant as toISOString() writes it, in the encoding's microsecond form. */
export const utcInstantOfIso = (iso: string) => `${iso.slice(0, 23)}000Z`;

/** An instant in milliseconds as the encoding writes it (the API stores millisecond instants). */
export const utcInstantOfMs = (ms: number) => utcInstantOfIso(new Date(ms).toISOString());

const utf8 = new TextEncoder();

const ASCII = /^[^\u0080-\uffff]*$/;

/** jsonb orders object keys by UTF-8 length, then bytewise. */
function compareKeys(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** compareKeys for ASCII keys (nearly all): their UTF-16 length and code units are the UTF-8 ones. */
const compareAsciiKeys = (a: string, b: string) =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;

/** An object's keys in jsonb's order. */
function sortKeys(keys: string[]): string[] {
  if (keys.length < 2) return keys;
  return keys.sort(keys.every((k) => ASCII.test(k)) ? compareAsciiKeys : compareKeys);
}

/** Characters escape_json changes; a string without any is only quoted (the common case). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point
const NEEDS_ESCAPE = /[\x00-\x1f"\\]/;

/** PostgreSQL's escape_json: the two-character escapes, other controls as \u00xx, the rest as is. */
function escapeString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A JSON number as PostgreSQL's numeric prints it: plain decimal, no exponent, with as many
 * fraction digits as the written number had after applying its exponent (1e3 -> 1000,
 * 1.50 -> 1.50, 1.5e-3 -> 0.0015, -0 -> 0). Takes the number's JSON text.
 */
export function numericText(lexeme: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lexeme);
  if (!m) throw new Error(`not a JSON number: ${lexeme}`);
  const negative = m[1] === '-';
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  const digits = `${m[2]}${frac}`; // value = digits * 10^(exp - frac.length)
  const scale = Math.max(0, frac.length - exp);
  const shift = exp - frac.length; // power of ten applied to the integer `digits`
  let intPart: string;
  let fracPart: string;
  if (shift >= 0) {
    intPart = digits + '0'.repeat(shift);
    fracPart = '';
  } else {
    const point = digits.length + shift;
    intPart = point > 0 ? digits.slice(0, point) : '0';
    fracPart = point > 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  }
  fracPart = (fracPart + '0'.repeat(scale)).slice(0, scale);
  intPart = intPart.replace(/^0+(?=\d)/, '');
  const isZero = /^0*$/.test(intPart + fracPart);
  return `${negative && !isZero ? '-' : ''}${intPart}${scale > 0 ? `.${fracPart}` : ''}`;
}

/** A JSON value (as JSON.parse gives it) in PostgreSQL's jsonb text format. */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('JSON has no NaN or Infinity');
    // An integer below 1e21 prints without exponent or fraction, as numeric does (-0 as 0).
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : numericText(String(value));
  }
  if (typeof value === 'string') return escapeString(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  if (typeof value === 'object') {
    // What JSON.stringify sends PostgreSQL for an object built in code rather than parsed: its
    // toJSON() (a Date's text), and no key whose value is undefined.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return jsonbText(toJSON.call(value));
    const record = value as Record<string, unknown>;
    const keys = sortKeys(Object.keys(record));
    let out = '';
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      out += `${out === '' ? '' : ', '}${escapeString(key)}: ${jsonbText(item)}`;
    }
    return `{${out}}`;
  }
  throw new Error(`not a JSON value: ${typeof value}`);
}
