import { formatCentral, formatCentralIso, pgTimestampToEpoch } from './central-time';

/** An event time as the event object shows it. Reused between calls: copy the strings out. */
export interface CentralTimes {
  /** `MM-DD-YYYY HH:MM:SS`, Central Time (formatCentral). */
  display: string;
  /** ISO 8601 with the Central offset, milliseconds (formatCentralIso). */
  iso: string;
}

interface HourFormat {
  /** `MM-DD-YYYY HH:` */
  display: string;
  /** `YYYY-MM-DDTHH:` */
  isoPrefix: string;
  /** `-06:00` */
  isoOffset: string;
}

// Outlives requests: the Central Time text of each hour seen, keyed by PostgreSQL's text of the
// hour (`2026-11-20 16` and its offset `+00`). Central offsets are whole hours and change on UTC
// hour boundaries, so within an hour (of any whole-hour session zone) minutes, seconds and
// fractions are the same in Central Time and are copied from the text. A page of 500 events
// spans a few hours: a handful of conversions instead of 1,000. Bounded by clearing when full.
const byHour = new Map<string, HourFormat>();
const HOUR_CACHE_LIMIT = 20_000;
const scratch: CentralTimes = { display: '', iso: '' };

/**
 * The display and ISO texts of PostgreSQL's timestamptz text (`2026-11-20 16:00:00.123456+00`),
 * equal to formatCentral / formatCentralIso of pgTimestampToEpoch(text). Returns one shared
 * object, overwritten by the next call.
 */
export function centralTimesOf(pgText: string): CentralTimes {
  const offsetAt = pgText.length - 3;
  // The common shape: `YYYY-MM-DD HH:MM:SS[.f{1,6}]±HH`. Anything else (a half-hour zone, a year
  // past 9999, BC) goes the long way.
  const shaped =
    offsetAt >= 19 &&
    pgText.charCodeAt(4) === 45 &&
    pgText.charCodeAt(10) === 32 &&
    pgText.charCodeAt(13) === 58 &&
    pgText.charCodeAt(16) === 58 &&
    (pgText.charCodeAt(offsetAt) === 43 || pgText.charCodeAt(offsetAt) === 45) &&
    (offsetAt === 19 || pgText.charCodeAt(19) === 46);
  const hour = shaped ? hourOf(pgText, offsetAt) : undefined;
  if (hour === undefined) {
    const epochMs = pgTimestampToEpoch(pgText);
    scratch.display = formatCentral(epochMs);
    scratch.iso = formatCentralIso(epochMs);
    return scratch;
  }
  const minuteSecond = pgText.slice(14, 19);
  scratch.display = hour.display + minuteSecond;
  scratch.iso = `${hour.isoPrefix}${minuteSecond}.${millisecondsOf(pgText, offsetAt)}${hour.isoOffset}`;
  return scratch;
}

/** Three digits of the fraction between `.` (at 19) and the offset, truncated like pgTimestampToEpoch. */
function millisecondsOf(pgText: string, offsetAt: number): string {
  const digits = offsetAt - 20;
  if (digits <= 0) return '000';
  if (digits >= 3) return pgText.slice(20, 23);
  return pgText.slice(20, offsetAt).padEnd(3, '0');
}

function hourOf(pgText: string, offsetAt: number): HourFormat | undefined {
  const key = pgText.slice(0, 13) + pgText.slice(offsetAt);
  const cached = byHour.get(key);
  if (cached !== undefined) return cached;
  const start = pgTimestampToEpoch(`${pgText.slice(0, 13)}:00:00${pgText.slice(offsetAt)}`);
  if (Number.isNaN(start)) return undefined;
  const iso = formatCentralIso(start); // YYYY-MM-DDTHH:00:00.000-06:00
  const hour = { display: formatCentral(start).slice(0, 14), isoPrefix: iso.slice(0, 14), isoOffset: iso.slice(23) };
  if (byHour.size >= HOUR_CACHE_LIMIT) byHour.clear();
  byHour.set(key, hour);
  return hour;
}
