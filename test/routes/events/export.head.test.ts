import { describe, expect, it } from 'vitest';
import { BASE, call, KEY, uniqueCompanyId } from '../../helpers/app';

/**
 * Issue 13.7: HEAD on export ran the first export query (Hono answers HEAD with the GET handler
 * and drops the body), leaving the stream and its connection unreleased. It is answered from
 * the request alone: here the database is unreachable, so any query would fail the request.
 */
const UNREACHABLE: Partial<Env> = {
  HYPERDRIVE: { connectionString: 'postgres://postgres:x@127.0.0.1:1/none' } as Hyperdrive,
  SELF_AUDIT: 'false',
};

describe('HEAD on export (issue 13.7)', () => {
  it('answers with the download headers and no body, without touching the database', async () => {
    const response = await call(
      `${BASE}/export?company_id=${uniqueCompanyId()}&format=csv`,
      { method: 'HEAD', headers: { 'CSIQ-APIKEY': KEY } },
      UNREACHABLE,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('Content-Disposition')).toMatch(
      /^attachment; filename=audit_events_search_\d{8}_\d{6}\.csv$/,
    );
    expect(await response.text()).toBe('');
  });

  it('still validates the parameters', async () => {
    const response = await call(
      `${BASE}/export?format=pdf`,
      { method: 'HEAD', headers: { 'CSIQ-APIKEY': KEY } },
      UNREACHABLE,
    );
    expect(response.status).toBe(422);
  });

  it('still needs a key', async () => {
    const response = await call(`${BASE}/export`, { method: 'HEAD' }, UNREACHABLE);
    expect(response.status).toBe(401);
  });
});
