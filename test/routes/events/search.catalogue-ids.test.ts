import { beforeAll, describe, expect, it } from 'vitest';
import { BASE, createEvent, event, get, postJson, search, uniqueCompanyId } from '../../helpers/app';

// Issue 11.4: the support dashboard's export sends the drop-downs' values, the numeric
// FunctionalityID and EventTypeID, in functionality_name and event_type_name. A value made only
// of digits that is not a known name is the id; a name made of digits still wins.

interface Added {
  FunctionalityID: number;
  FunctionalityName: string;
  EventTypes: { EventTypeID: number; EventTypeName: string }[];
}

async function addFunctionality(name: string, eventTypes: string[]): Promise<Added> {
  const response = await postJson('/pyaudit/api/admin/functionalities', { name, event_types: eventTypes });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Added;
}

const typeId = (f: Added, name: string) => f.EventTypes.find((t) => t.EventTypeName === name)?.EventTypeID ?? -1;

async function exportedIds(params: Record<string, string | number>): Promise<number[]> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await get(`${BASE}/export?format=ndjson&${qs}`);
  expect(response.status, await response.clone().text()).toBe(200);
  const lines = (await response.text()).split('\n').filter((line) => line !== '');
  return lines.map((line) => (JSON.parse(line) as { Id: number }).Id).sort((a, b) => a - b);
}

describe('digits in functionality_name / event_type_name', () => {
  const company = uniqueCompanyId();
  const tag = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  let first: Added;
  let digitsNamed: Added;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    first = await addFunctionality(`Ids ${tag}`, ['Alpha', 'Beta']);
    // A functionality whose *name* is the first one's id: the name must win for that value.
    digitsNamed = await addFunctionality(String(first.FunctionalityID), ['Alpha']);
    const base = { company_id: company };
    ids.firstAlpha = await createEvent(event({ ...base, functionality: first.FunctionalityName, event_type: 'Alpha' }));
    ids.firstBeta = await createEvent(event({ ...base, functionality: first.FunctionalityName, event_type: 'Beta' }));
    ids.digitsAlpha = await createEvent(
      event({ ...base, functionality: digitsNamed.FunctionalityName, event_type: 'Alpha' }),
    );
  });

  it('an event type id in event_type_name finds that event type only (search and export)', async () => {
    const params = { company_id: company, event_type_name: typeId(first, 'Beta') };
    expect((await search(params)).events.map((e) => e.Id)).toEqual([ids.firstBeta]);
    expect(await exportedIds(params)).toEqual([ids.firstBeta]);
  });

  it('a functionality id with an event type id, as the dashboard export sends them', async () => {
    const params = {
      company_id: company,
      functionality_name: digitsNamed.FunctionalityID,
      event_type_name: typeId(digitsNamed, 'Alpha'),
      page_number: 1,
      page_size: 5000,
      recent: 'false',
    };
    expect(await exportedIds(params)).toEqual([ids.digitsAlpha]);
    expect((await search(params)).events.map((e) => e.Id)).toEqual([ids.digitsAlpha]);
  });

  it('a functionality id with an event type name narrows the name to that functionality', async () => {
    const params = { company_id: company, functionality_name: digitsNamed.FunctionalityID, event_type: 'Alpha' };
    expect(await exportedIds(params)).toEqual([ids.digitsAlpha]);
  });

  it('a known name made of digits is the name, not the id', async () => {
    // String(first.FunctionalityID) is digitsNamed's name: its events, not first's.
    const params = { company_id: company, functionality_name: first.FunctionalityID };
    expect((await search(params)).events.map((e) => e.Id)).toEqual([ids.digitsAlpha]);
    expect(await exportedIds(params)).toEqual([ids.digitsAlpha]);
  });

  it('digits that are neither a name nor an id match nothing, and never cause a 500', async () => {
    for (const value of ['2147483647', '2147483648', '99999999999999999999999', '0', '000']) {
      const body = await search({ company_id: company, functionality_name: value, event_type_name: value });
      expect(body, value).toMatchObject({ StatusCode: 200, count: 0 });
      expect(await exportedIds({ company_id: company, event_type_name: value }), value).toEqual([]);
    }
  });
});
