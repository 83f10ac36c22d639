import { describe, expect, it } from 'vitest';
import { centralTimesOf } from '../../src/lib/central-hour-format';
import { formatCentral, formatCentralIso, pgTimestampToEpoch } from '../../src/lib/central-time';

/** What the event object showed before the hour cache: the long way, per row. */
const longWay = (text: string) => {
  const epochMs = pgTimestampToEpoch(text);
  return { display: formatCentral(epochMs), iso: formatCentralIso(epochMs) };
};

/** PostgreSQL's timestamptz text of an instant in a session zone `offsetHours` from UTC. */
function pgText(epochMs: number, offsetHours: number, fraction: string): string {
  const wall = new Date(epochMs + offsetHours * 3_600_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const sign = offsetHours < 0 ? '-' : '+';
  const zone = `${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}`;
  return `${wall.slice(0, 10)} ${wall.slice(11, 19)}${fraction ? `.${fraction}` : ''}${zone}`;
}

describe('centralTimesOf', () => {
  it('equals formatCentral / formatCentralIso across both DST changes, any whole-hour session zone', () => {
    const fractions = ['', '1', '12', '123', '1234', '999999', '000001'];
    const starts = [Date.UTC(2026, 2, 7, 12), Date.UTC(2026, 9, 31, 12), Date.UTC(2026, 11, 31, 20)];
    let checked = 0;
    for (const start of starts) {
      // Every 7 minutes 13 seconds over 30 hours: each hour, both sides of each change.
      for (let t = start; t < start + 30 * 3_600_000; t += 433_000) {
        for (const offset of [0, -5, -6, 9, 14]) {
          const text = pgText(t, offset, fractions[checked % fractions.length] as string);
          // Copied out: the answer is one shared object.
          expect({ ...centralTimesOf(text) }, text).toEqual(longWay(text));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('takes the long way for texts of another shape, with the same answer', () => {
    for (const text of [
      '2026-11-01 06:30:00+00', // the first 01:30 (CDT)
      '2026-11-01 07:30:00.5+00', // the second (CST)
      '2026-11-20 21:30:00.25+05:30', // half-hour session zone
      '2026-11-20T16:00:00Z', // ISO with Z
      '2026-11-20 16:00:00+0000',
    ]) {
      expect({ ...centralTimesOf(text) }, text).toEqual(longWay(text));
    }
    expect(centralTimesOf('2026-11-01 06:30:00+00').display).toBe('11-01-2026 01:30:00');
    expect(centralTimesOf('2026-11-01 07:30:00.5+00').iso).toBe('2026-11-01T01:30:00.500-06:00');
  });
});
