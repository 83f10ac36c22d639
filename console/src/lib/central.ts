/** Central Time (America/Chicago), as the service shows and reads times. */
const TZ = 'America/Chicago';

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'longOffset',
});

function parts(ms: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of partsFormatter.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** ISO 8601 with the Central offset, e.g. 2026-11-20T10:00:00-06:00: exact, also in the DST hour. */
export function centralIso(ms: number): string {
  const p = parts(ms);
  const offset = (p.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}

/** The Central calendar date, YYYY-MM-DD (a date alone: the service reads it as that whole day). */
export function centralDate(ms: number): string {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Short axis / label text in Central Time. */
export function centralLabel(ms: number, withTime: boolean): string {
  const p = parts(ms);
  return withTime ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.month}-${p.day}`;
}

/** Central midnight starting the Central date of `ms` (DST days have 23 or 25 hours). */
export function centralDayStart(ms: number): number {
  const date = centralDate(ms);
  // 00:00 UTC of that date is the evening before in Central: the offset still in force at midnight.
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  const offset = centralIso(utcMidnight).slice(19);
  return Date.parse(`${date}T00:00:00${offset}`);
}
