import { describe, expect, it } from 'vitest';
import { BASE, get } from '../../helpers/app';

describe('get-all-auditfunctionalities', () => {
  it('lists functionalities by id', async () => {
    const all = (await (await get(`${BASE}/get-all-auditfunctionalities`)).json()) as {
      Data: { FunctionalityName: string }[];
    };
    expect(all.Data.slice(0, 2).map((f) => f.FunctionalityName)).toEqual(['Authenticate', 'Price Management']);
  });
});
