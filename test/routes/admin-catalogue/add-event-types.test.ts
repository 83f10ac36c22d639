import { describe, expect, it } from 'vitest';
import { BASE, event, KEY, uniqueCompanyId } from '../../helpers/app';
import { ADMIN_BASE, as, createKey, detailOf } from '../../helpers/keys';
import { query } from '../../helpers/sql';

const admin = as(KEY);

const authenticateTypeCount = async () =>
  (
    await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM auditeventtypes t JOIN auditfunctionalities f USING (functionalityid) WHERE f.functionalityname = 'Authenticate'",
    )
  )[0]?.n;

describe('POST /admin/functionalities/{name}/event-types', () => {
  it('adds event types to a functionality, usable by create at once', async () => {
    const name = `Inventory ${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin.post(`${ADMIN_BASE}/functionalities`, { name, event_types: ['Count started'] })).status).toBe(
      201,
    );
    const company = uniqueCompanyId();
    const added = await admin.post(`${ADMIN_BASE}/functionalities/${encodeURIComponent(name)}/event-types`, {
      event_types: ['Count cancelled'],
    });
    expect(added.status).toBe(201);
    const again = await admin.post(
      `${BASE}/create`,
      event({ company_id: company, functionality: name, event_type: 'Count cancelled' }),
    );
    expect(again.status).toBe(201);
  });

  it('refuses types that exist (409, adds none of them) and an unknown functionality (404)', async () => {
    // Other files may add types to Authenticate (the consumer's replay test): compare, don't assume 4.
    const before = await authenticateTypeCount();
    const partly = await admin.post(`${ADMIN_BASE}/functionalities/Authenticate/event-types`, {
      event_types: [`New ${crypto.randomUUID().slice(0, 8)}`, 'Login', 'Logout'],
    });
    expect(partly.status).toBe(409);
    expect(await detailOf(partly)).toBe('Event types already exist in Authenticate: Login, Logout; nothing was added');
    expect(await authenticateTypeCount()).toBe(before);

    const unknown = await admin.post(`${ADMIN_BASE}/functionalities/Nope%20${crypto.randomUUID()}/event-types`, {
      event_types: ['A'],
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses an empty list with a 422 naming the field, and a key limited to companies with a 403', async () => {
    const empty = await admin.post(`${ADMIN_BASE}/functionalities/Authenticate/event-types`, { event_types: [] });
    expect(empty.status).toBe(422);
    expect(((await detailOf(empty)) as { loc: (string | number)[] }[])[0]?.loc[1]).toBe('event_types');
    const limitedAdmin = await createKey({ scopes: ['admin'], companies: [uniqueCompanyId()] });
    const limited = await as(limitedAdmin.key).post(`${ADMIN_BASE}/functionalities/Authenticate/event-types`, {
      event_types: [`X ${crypto.randomUUID()}`],
    });
    expect(limited.status).toBe(403);
  });
});
