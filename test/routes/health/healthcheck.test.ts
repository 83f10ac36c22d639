import { describe, expect, it } from 'vitest';
import { call } from '../../helpers/app';

describe('healthcheck', () => {
  it('200 healthy when the database answers', async () => {
    const response = await call('/pyaudit/api/healthcheck');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'healthy', database: 'ok' });
  });

  it('503 unhealthy, quickly, when the database is unreachable', async () => {
    const started = Date.now();
    const response = await call(
      '/pyaudit/api/healthcheck',
      {},
      {
        HYPERDRIVE: { connectionString: 'postgres://postgres:x@127.0.0.1:1/nothing' } as Hyperdrive,
      },
    );
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; detail: string };
    expect(body.status).toBe('unhealthy');
    expect(body.detail).toMatch(/Database unreachable/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
