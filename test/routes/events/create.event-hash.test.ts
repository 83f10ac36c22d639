import { describe, expect, it } from 'vitest';
import { createEvent, event, uniqueCompanyId } from '../../helpers/app';
import { expectHashMatches, storedEvent } from '../../helpers/integrity';

/** Data that exercises the canonical JSON: key order, unicode, escapes, nesting, numbers. */
const TRICKY = {
  zeta: 'last by length? no: by length first',
  a: 1,
  é: 'ü – 😀 "quoted" back\\slash\nnew line\ttab\u0001control',
  nested: { bb: [1, 1.5, 1e3, -0, 1.5e-7, 1e21, 0.1, 123456789012345], a: { deeper: [true, false, null, {}] } },
  '😀': null,
  '': 'empty key',
  ab: [],
};

describe('POST /audit-events/create: the event hash (issue 14.1)', () => {
  it('create stores the hash of the canonical encoding, reproducible outside the database', async () => {
    const company = uniqueCompanyId();
    const id = await createEvent(
      event({ company_id: company, additional_data: TRICKY, event_id: crypto.randomUUID(), user: 'ünï' }),
    );
    const stored = await storedEvent(id);
    expect(stored.table).toMatch(/^auditevents_y/);
    expectHashMatches(stored);
    expect(JSON.parse(stored.sql_canonical)).toEqual([
      'pyaudit-event/1',
      String(id),
      String(company),
      stored.utc,
      'Authenticate',
      'Login',
      '101',
      'ünï',
      'User logged in successfully',
      'Success',
      JSON.parse(JSON.stringify(TRICKY)),
      stored.eventid,
    ]);
  });
});
