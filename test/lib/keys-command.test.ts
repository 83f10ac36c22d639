import { describe, expect, it } from 'vitest';
import { databaseOver } from '../../src/db/client';
import { runKeysCommand } from '../../src/lib/keys-command';
import { BASE, event, uniqueCompanyId } from '../helpers/app';
import { ADMIN_BASE, as, createKey, NO_KEY_CACHE, uniqueKeyName } from '../helpers/keys';
import { query, withClient } from '../helpers/sql';

describe('npm run keys (src/lib/keys-command.ts, the CLI core, against the database)', () => {
  const run = (argv: string[]) => withClient((client) => runKeysCommand(argv, databaseOver(client)));

  it('create prints the key once on stdout; the Worker accepts it with its scopes and companies', async () => {
    const name = uniqueKeyName('cli');
    const company = uniqueCompanyId();
    const created = await run([
      'create',
      '--name',
      name,
      '--scopes',
      'events:read,events:write',
      '--companies',
      `${company}`,
    ]);
    expect(created.code).toBe(0);
    expect(created.out).toHaveLength(1);
    const key = created.out[0] ?? '';
    expect(key).toMatch(/^pak_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(created.err.join('\n')).toContain(`companies ${company}`);
    expect(created.err.join('\n')).not.toContain(key);

    const client = as(key, NO_KEY_CACHE);
    expect((await client.post(`${BASE}/create`, event({ company_id: company }))).status).toBe(201);
    expect((await client.post(`${BASE}/create`, event({ company_id: company + 1 }))).status).toBe(403);
    expect((await client.get(`${BASE}/search?company_id=${company}`)).status).toBe(200);
    expect((await client.get(`${ADMIN_BASE}/keys`)).status).toBe(403);

    const list = await run(['list']);
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^name +prefix +scopes +companies +created +last used +revoked$/);
    const line = list.out.find((l) => l.startsWith(`${name} `));
    expect(line).toContain(key.slice(4, 12));
    expect(line).toContain('events:read,events:write');
    expect(list.out.join('\n')).not.toContain(key);

    const json = await run(['list', '--json']);
    const record = json.out
      .map((l) => JSON.parse(l) as { name: string; lastUsedAt: string | null })
      .find((r) => r.name === name);
    expect(record?.lastUsedAt).not.toBeNull();

    const revoked = await run(['revoke', '--prefix', key.slice(4, 12)]);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toMatch(/^revoked API key /);
    expect((await client.get(`${BASE}/search?company_id=${company}`)).status).toBe(401);
    expect((await run(['revoke', '--name', name])).out[0]).toMatch(/was already revoked/);
  });

  it('answers usage errors with code 2 and refusals with code 1', async () => {
    const taken = await createKey({ scopes: ['events:read'] });
    const cases: [string[], number, RegExp][] = [
      [[], 2, /no command given/],
      [['rotate'], 2, /unknown command rotate/],
      [['create', '--name', 'x'], 2, /scopes must name at least one/],
      [['create', '--name', 'x', '--scopes', 'events:read', '--companies', '5001,abc'], 2, /whole numbers: abc/],
      [['create', '--name', 'legacy-key-7', '--scopes', 'admin'], 2, /reserved/],
      [['create', '--name', taken.name, '--scopes', 'admin'], 1, /already exists/],
      [['revoke'], 2, /--name or --prefix/],
      [['revoke', '--prefix', 'XY'], 2, /8 characters/],
      [['revoke', '--name', `nobody-${crypto.randomUUID()}`], 1, /no API key with name/],
      [['list', '--verbose'], 2, /unknown option --verbose/],
    ];
    for (const [argv, code, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(code);
      expect(result.err.join('\n'), argv.join(' ')).toMatch(message);
    }
    const [row] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_keys WHERE name IN ('x', 'legacy-key-7')",
    );
    expect(row?.n).toBe(0);
  });
});
