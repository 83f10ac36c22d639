/**
 * Central Time (America/Chicago): formatting instants the way the dashboard shows them and
 * reading the wall-clock strings it sends. Instants are stored as timestamptz; only display
 * and naive input are Central.
 */
export const CENTRAL_TZ = 'America/Chicago';

const HOUR_MS = 3_600_000;
const offsetFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: CENTRAL_TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

// Outlives requests: UTC offset per UTC hour. Offsets only change on hour boundaries in this
// zone, so one Intl call serves an hour of events. Bounded by clearing when full.
const offsetByHour = new Map<number, number>();
const OFFSET_CACHE_LIMIT = 50_000;

/** Central Time's UTC offset in milliseconds at the given instant (e.g. -6h in winter). */
export function centralOffsetMs(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  const cached = offsetByHour.get(hour);
  if (cached !== undefined) return cached;
  const parts = offsetFormatter.formatToParts(new Date(hour * HOUR_MS));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = wall - hour * HOUR_MS;
  if (offsetByHour.size >= OFFSET_CACHE_LIMIT) offsetByHour.clear();
  offsetByHour.set(hour, offset);
  return offset;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `MM-DD-YYYY HH:MM:SS` in Central Time: the old service's display format. */
export function formatCentral(epochMs: number): string {
  const d = new Date(epochMs + centralOffsetMs(epochMs));
  return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** ISO 8601 with the Central offset, e.g. `2026-11-01T01:30:00.000-05:00`. */
/** Today's date in Central Time, YYYY-MM-DD. */
export function centralToday(nowMs = Date.now()): string {
  const [month, day, year] = formatCentral(nowMs).slice(0, 10).split('-');
  return `${year}-${month}-${day}`;
}

export function formatCentralIso(epochMs: number): string {
  const offset = centralOffsetMs(epochMs);
  const d = new Date(epochMs + offset);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${ms}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `MMDDYYYY_HHMMSS` in Central Time, for export file names. */
export function formatCentralCompact(epochMs: number): string {
  return formatCentral(epochMs).replace(/-/g, '').replace(' ', '_').replace(/:/g, '');
}

/** The start of the Central Time month `months` before the one holding `epochMs`. */
export function centralMonthStartBefore(epochMs: number, months: number): number {
  const wall = new Date(epochMs + centralOffsetMs(epochMs));
  const first = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() - months, 1));
  const start = centralWallClockToEpoch({
    year: first.getUTCFullYear(),
    month: first.getUTCMonth() + 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
  });
  return start ?? first.getTime();
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function isValidWallClock(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  const daysInMonth = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= daysInMonth;
}

/**
 * A Central Time wall clock to an instant. In the autumn hour that happens twice the first
 * (daylight) occurrence is taken; in the spring hour that never happens the clock is read with
 * the offset before the change (02:30 becomes 03:30 CDT). This is Temporal's "compatible" rule.
 */
export function centralWallClockToEpoch(w: WallClock): number | null {
  if (!isValidWallClock(w)) return null;
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  if (w.year < 100) return null;
  const before = centralOffsetMs(asUtc - 24 * HOUR_MS);
  const after = centralOffsetMs(asUtc + 24 * HOUR_MS);
  const candidates = [asUtc - before, asUtc - after].filter((t) => centralOffsetMs(t) === asUtc - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return asUtc - before;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const US_RE = /^(\d{2})-(\d{2})-(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export type Precision = 'day' | 'minute' | 'second' | 'millisecond';
export interface ParsedInstant {
  epochMs: number;
  /** How precise the text was, so an upper bound can include the whole day or second. */
  precision: Precision;
  wall: WallClock;
  hasOffset: boolean;
}

function offsetToMs(offset: string): number {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

/**
 * The formats parseInstant reads, tried in order: which group of the match holds each field (the
 * dashboard's format has no fraction and no offset).
 */
const FORMATS: {
  re: RegExp;
  groups: Record<keyof Omit<WallClock, 'millisecond'>, number> & { fraction?: number; offset?: number };
}[] = [
  { re: ISO_RE, groups: { year: 1, month: 2, day: 3, hour: 4, minute: 5, second: 6, fraction: 7, offset: 8 } },
  { re: US_RE, groups: { month: 1, day: 2, year: 3, hour: 4, minute: 5, second: 6 } },
];

/** The wall clock a text names, its offset if it gives one, and how precise it was. */
function readWallClock(text: string): { wall: WallClock; offset: string | undefined; precision: Precision } | null {
  for (const { re, groups } of FORMATS) {
    const match = re.exec(text);
    if (!match) continue;
    const field = (group: number | undefined) => (group === undefined ? undefined : match[group]);
    const fraction = field(groups.fraction) ?? '';
    const wall: WallClock = {
      year: Number(match[groups.year]),
      month: Number(match[groups.month]),
      day: Number(match[groups.day]),
      hour: Number(match[groups.hour] ?? 0),
      minute: Number(match[groups.minute] ?? 0),
      second: Number(match[groups.second] ?? 0),
      millisecond: fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0,
    };
    const precision: Precision =
      match[groups.hour] === undefined
        ? 'day'
        : fraction
          ? 'millisecond'
          : match[groups.second] === undefined
            ? 'minute'
            : 'second';
    return { wall, offset: field(groups.offset), precision };
  }
  return null;
}

/**
 * ISO 8601 (`2026-11-20T10:00:00Z`, `2026-11-20T10:00:00-06:00`, `2026-11-20 10:00:00`,
 * `2026-11-20`) or the dashboard's `MM-DD-YYYY[ HH:MM[:SS]]`. Without an offset the text is
 * Central Time. Returns null when the text is not a real date and time.
 */
export function parseInstant(text: string): ParsedInstant | null {
  const read = readWallClock(text.trim());
  if (!read) return null;
  const { wall: w, offset, precision } = read;
  // Date.UTC reads years 0-99 as 1900-1999: '0070-06-01Z' would become 1970. Not a real date here.
  if (!isValidWallClock(w) || w.year < 100) return null;
  if (offset !== undefined) {
    const ms = offsetToMs(offset);
    if (Math.abs(ms) > 18 * HOUR_MS) return null;
    const epochMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - ms;
    return { epochMs, precision, wall: w, hasOffset: true };
  }
  const epochMs = centralWallClockToEpoch(w);
  return epochMs === null ? null : { epochMs, precision, wall: w, hasOffset: false };
}

/** The first instant after the period the text named: `11-26-2026` -> 11-27 00:00 Central. */
export function endOfPrecision(parsed: ParsedInstant): number {
  switch (parsed.precision) {
    case 'millisecond':
      return parsed.epochMs + 1;
    case 'second':
      return parsed.epochMs + 1000;
    case 'minute':
      return parsed.epochMs + 60_000;
    case 'day': {
      if (parsed.hasOffset) return parsed.epochMs + 24 * HOUR_MS;
      // The next Central midnight: 23 or 25 hours away on DST days. Date.UTC rolls the month.
      const next = new Date(Date.UTC(parsed.wall.year, parsed.wall.month - 1, parsed.wall.day + 1));
      return (
        centralWallClockToEpoch({
          year: next.getUTCFullYear(),
          month: next.getUTCMonth() + 1,
          day: next.getUTCDate(),
          hour: 0,
          minute: 0,
          second: 0,
          millisecond: 0,
        }) ?? parsed.epochMs + 24 * HOUR_MS
      );
    }
  }
}

/** PostgreSQL's timestamptz text (`2026-11-20 16:00:00.123456+00`) to epoch milliseconds. */
export function pgTimestampToEpoch(text: string): number {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(
      text,
    );
  if (!m) return Date.parse(text);
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const sign = (m[8] ?? '').startsWith('-') ? -1 : 1;
  const offsetMin = sign * (Math.abs(Number(m[8])) * 60 + Number(m[9] ?? 0));
  return (
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms) -
    offsetMin * 60_000
  );
}
