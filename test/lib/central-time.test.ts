import { describe, expect, it } from 'vitest';
import {
  CENTRAL_TZ,
  centralMonthStartBefore,
  centralOffsetMs,
  centralWallClockToEpoch,
  endOfPrecision,
  formatCentral,
  formatCentralCompact,
  formatCentralIso,
  type ParsedInstant,
  parseInstant,
  pgTimestampToEpoch,
  type WallClock,
} from '../../src/lib/central-time';

// America/Chicago in 2026: daylight time starts Sunday 8 March at 02:00 CST (08:00Z), the clock
// jumping to 03:00 CDT, so 02:xx never happens; it ends Sunday 1 November at 02:00 CDT (07:00Z),
// the clock going back to 01:00 CST, so 01:xx happens twice (06:xxZ, then 07:xxZ).
const HOUR = 3_600_000;
const CST = -6 * HOUR;
const CDT = -5 * HOUR;
const utc = (iso: string) => Date.parse(iso);
const wall = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0) =>
  ({ year, month, day, hour, minute, second, millisecond }) satisfies WallClock;
const parsed = (text: string): ParsedInstant => {
  const result = parseInstant(text);
  if (!result) throw new Error(`parseInstant(${JSON.stringify(text)}) is null`);
  return result;
};

/** The offset as Intl names it ("GMT-6"), a path through Intl other than the one the module takes. */
const shortOffsetFormatter = new Intl.DateTimeFormat('en-US', { timeZone: CENTRAL_TZ, timeZoneName: 'shortOffset' });
function intlOffsetMs(epochMs: number): number {
  const name = shortOffsetFormatter.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value;
  const match = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name ?? '');
  if (!match) throw new Error(`unexpected offset name ${name}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * HOUR + Number(match[3] ?? 0) * 60_000);
}

describe('centralOffsetMs', () => {
  it('changes exactly at the spring and autumn instants of 2026', () => {
    expect(centralOffsetMs(utc('2026-03-08T07:59:59.999Z'))).toBe(CST);
    expect(centralOffsetMs(utc('2026-03-08T08:00:00Z'))).toBe(CDT);
    expect(centralOffsetMs(utc('2026-11-01T06:59:59.999Z'))).toBe(CDT);
    expect(centralOffsetMs(utc('2026-11-01T07:00:00Z'))).toBe(CST);
  });

  it('agrees with Intl every hour of 2026 and of 2027, asked twice (the per-hour cache gives the same)', () => {
    const from = utc('2026-01-01T00:30:00Z');
    const to = utc('2028-01-01T00:00:00Z');
    const disagreements: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let t = from; t < to; t += HOUR) {
        if (centralOffsetMs(t) !== intlOffsetMs(t)) disagreements.push(new Date(t).toISOString());
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('formatCentral, formatCentralIso, formatCentralCompact', () => {
  it('shows both 01:30 of the autumn change with their own offsets, in order', () => {
    expect(formatCentral(utc('2026-11-01T06:30:00Z'))).toBe('11-01-2026 01:30:00');
    expect(formatCentral(utc('2026-11-01T07:30:00Z'))).toBe('11-01-2026 01:30:00');
    expect(formatCentralIso(utc('2026-11-01T06:30:00Z'))).toBe('2026-11-01T01:30:00.000-05:00');
    expect(formatCentralIso(utc('2026-11-01T07:30:00Z'))).toBe('2026-11-01T01:30:00.000-06:00');
  });

  it('skips the spring gap: the second before 08:00Z is 01:59:59 CST, 08:00Z is 03:00 CDT', () => {
    expect(formatCentralIso(utc('2026-03-08T07:59:59Z'))).toBe('2026-03-08T01:59:59.000-06:00');
    expect(formatCentralIso(utc('2026-03-08T08:00:00Z'))).toBe('2026-03-08T03:00:00.000-05:00');
  });

  it('rolls day, month and year in Central Time, not UTC', () => {
    // New Year: 05:59:59Z is still 31 December in Chicago.
    expect(formatCentral(utc('2027-01-01T05:59:59Z'))).toBe('12-31-2026 23:59:59');
    expect(formatCentral(utc('2027-01-01T06:00:00Z'))).toBe('01-01-2027 00:00:00');
    expect(formatCentralCompact(utc('2027-01-01T05:59:59Z'))).toBe('12312026_235959');
    // End of February in a leap year, in summer time's neighbour months.
    expect(formatCentral(utc('2028-03-01T05:59:59Z'))).toBe('02-29-2028 23:59:59');
    expect(formatCentral(utc('2026-04-01T04:59:59Z'))).toBe('03-31-2026 23:59:59');
  });

  it('pads milliseconds and keeps them in the ISO form only', () => {
    const t = utc('2026-07-04T17:00:00.005Z');
    expect(formatCentralIso(t)).toBe('2026-07-04T12:00:00.005-05:00');
    expect(formatCentral(t)).toBe('07-04-2026 12:00:00');
    expect(formatCentralCompact(t)).toBe('07042026_120000');
  });
});

describe('centralWallClockToEpoch', () => {
  it('takes the first (daylight) of the two autumn 01:30', () => {
    expect(centralWallClockToEpoch(wall(2026, 11, 1, 1, 30))).toBe(utc('2026-11-01T06:30:00Z'));
    // Either side of the repeated hour there is one reading only.
    expect(centralWallClockToEpoch(wall(2026, 11, 1, 0, 59, 59))).toBe(utc('2026-11-01T05:59:59Z'));
    expect(centralWallClockToEpoch(wall(2026, 11, 1, 2, 0))).toBe(utc('2026-11-01T08:00:00Z'));
  });

  it('reads a spring time that never happened with the offset before the change (02:30 is 03:30 CDT)', () => {
    const t = centralWallClockToEpoch(wall(2026, 3, 8, 2, 30));
    expect(t).toBe(utc('2026-03-08T08:30:00Z'));
    expect(formatCentralIso(t as number)).toBe('2026-03-08T03:30:00.000-05:00');
    expect(centralWallClockToEpoch(wall(2026, 3, 8, 1, 59, 59))).toBe(utc('2026-03-08T07:59:59Z'));
    expect(centralWallClockToEpoch(wall(2026, 3, 8, 3, 0))).toBe(utc('2026-03-08T08:00:00Z'));
  });

  it('keeps milliseconds and round-trips through formatCentral away from the changes', () => {
    const t = centralWallClockToEpoch(wall(2026, 12, 31, 23, 59, 59, 999));
    expect(t).toBe(utc('2027-01-01T05:59:59.999Z'));
    expect(formatCentral(t as number)).toBe('12-31-2026 23:59:59');
  });

  it.each([
    ['29 February of a common year', wall(2026, 2, 29)],
    ['29 February 2100 (not a leap year)', wall(2100, 2, 29)],
    ['31 April', wall(2026, 4, 31)],
    ['month 0', wall(2026, 0, 1)],
    ['month 13', wall(2026, 13, 1)],
    ['day 0', wall(2026, 1, 0)],
    ['hour 24', wall(2026, 1, 1, 24)],
    ['minute 60', wall(2026, 1, 1, 0, 60)],
    ['second 60', wall(2026, 1, 1, 0, 0, 60)],
    ['a two-digit year (Date.UTC would read it as 19xx)', wall(70, 6, 1)],
  ])('is null for %s', (_name, w) => {
    expect(centralWallClockToEpoch(w)).toBeNull();
  });

  it('accepts 29 February of leap years, 2000 included', () => {
    expect(centralWallClockToEpoch(wall(2028, 2, 29))).toBe(utc('2028-02-29T06:00:00Z'));
    expect(centralWallClockToEpoch(wall(2000, 2, 29))).toBe(utc('2000-02-29T06:00:00Z'));
  });
});

describe('centralMonthStartBefore', () => {
  it('is Central midnight of the month, whatever its offset', () => {
    expect(centralMonthStartBefore(utc('2026-04-10T12:00:00Z'), 0)).toBe(utc('2026-04-01T05:00:00Z'));
    expect(centralMonthStartBefore(utc('2026-04-10T12:00:00Z'), 1)).toBe(utc('2026-03-01T06:00:00Z'));
    expect(centralMonthStartBefore(utc('2026-11-15T12:00:00Z'), 0)).toBe(utc('2026-11-01T05:00:00Z'));
  });

  it('takes the month from the Central date: 04:30Z on 1 April is still March in Chicago', () => {
    expect(centralMonthStartBefore(utc('2026-04-01T04:30:00Z'), 0)).toBe(utc('2026-03-01T06:00:00Z'));
    expect(centralMonthStartBefore(utc('2027-01-01T05:00:00Z'), 0)).toBe(utc('2026-12-01T06:00:00Z'));
  });

  it('crosses year boundaries backwards', () => {
    expect(centralMonthStartBefore(utc('2026-01-15T12:00:00Z'), 1)).toBe(utc('2025-12-01T06:00:00Z'));
    expect(centralMonthStartBefore(utc('2026-03-15T12:00:00Z'), 14)).toBe(utc('2025-01-01T06:00:00Z'));
  });
});

describe('parseInstant', () => {
  it('reads text with an offset as that instant, with its precision', () => {
    expect(parsed('2026-11-20T10:00:00Z')).toMatchObject({
      epochMs: utc('2026-11-20T10:00:00Z'),
      precision: 'second',
      hasOffset: true,
    });
    expect(parsed('2026-11-20T10:00:00-06:00').epochMs).toBe(utc('2026-11-20T16:00:00Z'));
    expect(parsed('2026-11-20T10:00+0530').epochMs).toBe(utc('2026-11-20T04:30:00Z'));
    expect(parsed('2026-11-20T10:00-06')).toMatchObject({ epochMs: utc('2026-11-20T16:00:00Z'), precision: 'minute' });
    expect(parsed('2026-11-20 10:00:00.1239-06:00')).toMatchObject({
      epochMs: utc('2026-11-20T16:00:00.123Z'),
      precision: 'millisecond',
    });
    expect(parsed('2026-11-20T10:00:00,5z').epochMs).toBe(utc('2026-11-20T10:00:00.500Z'));
  });

  it('reads text without an offset as Central Time, the repeated and the missing hour included', () => {
    expect(parsed('2026-11-20')).toMatchObject({
      epochMs: utc('2026-11-20T06:00:00Z'),
      precision: 'day',
      hasOffset: false,
    });
    expect(parsed('2026-07-04 12:00:00').epochMs).toBe(utc('2026-07-04T17:00:00Z'));
    expect(parsed('11-01-2026 01:30:00')).toMatchObject({ epochMs: utc('2026-11-01T06:30:00Z'), precision: 'second' });
    expect(parsed('03-08-2026 02:30')).toMatchObject({ epochMs: utc('2026-03-08T08:30:00Z'), precision: 'minute' });
    expect(parsed('  12-31-2026  ').wall).toEqual(wall(2026, 12, 31));
  });

  it.each([
    '',
    'yesterday',
    '2026-11-20T10',
    '2026-13-01',
    '2026-02-29',
    '02-30-2028',
    '2026-11-20T24:00:00',
    '11/20/2026',
    '2026-11-20T10:00:00+19:00',
    '0070-06-01Z',
    '11-20-26',
  ])('is null for %j', (text) => {
    expect(parseInstant(text)).toBeNull();
  });
});

describe('endOfPrecision', () => {
  it('is the next Central midnight for a day: 23 hours on the spring day, 25 on the autumn day', () => {
    const spring = parsed('03-08-2026');
    expect(endOfPrecision(spring) - spring.epochMs).toBe(23 * HOUR);
    expect(endOfPrecision(spring)).toBe(utc('2026-03-09T05:00:00Z'));
    const autumn = parsed('2026-11-01');
    expect(endOfPrecision(autumn) - autumn.epochMs).toBe(25 * HOUR);
    expect(endOfPrecision(autumn)).toBe(utc('2026-11-02T06:00:00Z'));
    expect(endOfPrecision(parsed('2026-07-04')) - parsed('2026-07-04').epochMs).toBe(24 * HOUR);
  });

  it('rolls month and year for the last day, and 28 February into 29 in a leap year', () => {
    expect(endOfPrecision(parsed('12-31-2026'))).toBe(utc('2027-01-01T06:00:00Z'));
    expect(endOfPrecision(parsed('2026-03-31'))).toBe(utc('2026-04-01T05:00:00Z'));
    expect(endOfPrecision(parsed('2028-02-28'))).toBe(utc('2028-02-29T06:00:00Z'));
    expect(endOfPrecision(parsed('2026-02-28'))).toBe(utc('2026-03-01T06:00:00Z'));
  });

  it('adds one unit of the precision otherwise (a day with an offset is 24 hours)', () => {
    const day = parsed('2026-11-01Z');
    expect(endOfPrecision(day) - day.epochMs).toBe(24 * HOUR);
    const minute = parsed('11-01-2026 01:59');
    expect(endOfPrecision(minute) - minute.epochMs).toBe(60_000);
    const second = parsed('2026-11-01T01:59:59');
    expect(endOfPrecision(second) - second.epochMs).toBe(1000);
    const millisecond = parsed('2026-11-01T01:59:59.999');
    expect(endOfPrecision(millisecond) - millisecond.epochMs).toBe(1);
  });
});

describe('pgTimestampToEpoch', () => {
  it("reads PostgreSQL's timestamptz text with any offset, to the millisecond", () => {
    expect(pgTimestampToEpoch('2026-11-20 16:00:00.123456+00')).toBe(utc('2026-11-20T16:00:00.123Z'));
    expect(pgTimestampToEpoch('2026-11-20 16:00:00+00')).toBe(utc('2026-11-20T16:00:00Z'));
    expect(pgTimestampToEpoch('2026-11-20 10:00:00.5-06')).toBe(utc('2026-11-20T16:00:00.500Z'));
    expect(pgTimestampToEpoch('2026-11-20 21:30:00+05:30')).toBe(utc('2026-11-20T16:00:00Z'));
    expect(pgTimestampToEpoch('2026-11-20 12:30:00-0330')).toBe(utc('2026-11-20T16:00:00Z'));
    // A negative offset under an hour: the sign comes from the text, not from the hours (-00).
    expect(pgTimestampToEpoch('2026-11-20 15:30:00-00:30')).toBe(utc('2026-11-20T16:00:00Z'));
  });

  it('falls back to Date.parse for other text (an ISO string with Z)', () => {
    expect(pgTimestampToEpoch('2026-11-20T16:00:00.000Z')).toBe(utc('2026-11-20T16:00:00Z'));
  });
});
