/**
 * Exact instants as microseconds since 1970-01-01 UTC, in decimal text (PostgreSQL keeps
 * microseconds; a JS number cannot hold every such value past year 2255). Keyset positions
 * travel in this form, so a position handed to a client and back is an integer the database
 * adds to the epoch, never a time zone text it would have to interpret (issue 13.6).
 */

/** 9999-12-31 23:59:59.999999 UTC: the last instant any position may name. */
export const MAX_EPOCH_MICROS = 253_402_300_799_999_999n;

/** Digits only, no sign: events are after 1970 (prepare-event.ts). */
const MICROS_RE = /^\d{1,18}$/;

/** The decimal text of an instant within [0, MAX_EPOCH_MICROS], or null. */
export function checkEpochMicros(text: string): string | null {
  if (!MICROS_RE.test(text)) return null;
  const value = BigInt(text);
  return value <= MAX_EPOCH_MICROS ? value.toString() : null;
}

// PostgreSQL's timestamptz output (ISO DateStyle): 2026-11-20 16:00:00.123456+00, the offset in
// hours, optionally :MM and :SS (historic zones). PostgreSQL itself refuses offsets past 15:59.
const PG_TIMESTAMPTZ_RE =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)$/;

/**
 * PostgreSQL's text of a timestamptz -> epoch microseconds, or null when the text is not a real
 * instant in that exact form (a month 13, minute 99, offset +17:30 ...) or lies before 1970.
 */
export function pgTimestampToMicros(text: string): string | null {
  const m = PG_TIMESTAMPTZ_RE.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  const offsetSeconds = Number(m[11] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (offsetHours > 15 || offsetMinutes > 59 || offsetSeconds > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 02-30 over into March: a day that does not exist comes back different.
  if (year < 1000 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day)
    return null;
  const sign = m[8] === '-' ? -1n : 1n;
  const offsetMicros = sign * BigInt(offsetHours * 3600 + offsetMinutes * 60 + offsetSeconds) * 1_000_000n;
  const micros = BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0')) - offsetMicros;
  return micros >= 0n && micros <= MAX_EPOCH_MICROS ? micros.toString() : null;
}
