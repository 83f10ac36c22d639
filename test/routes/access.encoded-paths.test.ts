import { beforeAll, describe, expect, it } from 'vitest';
import { get, uniqueCompanyId } from '../helpers/app';
import { as, type CreatedKey, createKey, uniqueKeyName } from '../helpers/keys';

/**
 * Issue 12.1: the router matches the DECODED path, so `/audit-events/%73earch` is the search
 * route. The scope check and the self-audit once looked at the raw URL string and let such
 * spellings through with no audit event (a read key could search and export without a trace, an
 * admin key mint keys without one). Every spelling the router sends to a handler must be scoped
 * and audited exactly like the plain path; spellings it sends nowhere (double slashes) must not
 * reach a handler at all.
 */

const API = '/pyaudit/api';

interface Audited {
  method: string;
  /** The plain path, without query. */
  path: string;
  /** Query string (with its `?`) or body that make the request harmless once admitted. */
  query?: string;
  body?: unknown;
  scope: 'events:read' | 'admin';
  action: 'Search' | 'Recent' | 'Export' | 'Stream' | 'Admin action';
  /** false: no harmless admitted request exists (it would act), so only refusals are sent. */
  admitted?: false;
}

/** Every audited operation, each with a request that changes nothing once admitted. */
const AUDITED: Audited[] = [
  {
    method: 'GET',
    path: `${API}/audit-events/search`,
    query: '?page_size=1&company_id=1',
    scope: 'events:read',
    action: 'Search',
  },
  { method: 'GET', path: `${API}/audit-events/recent`, query: '?limit=1', scope: 'events:read', action: 'Recent' },
  {
    method: 'GET',
    path: `${API}/audit-events/export`,
    query: '?format=ndjson&company_id=1',
    scope: 'events:read',
    action: 'Export',
  },
  // An invalid resume position is refused before any stream opens.
  {
    method: 'GET',
    path: `${API}/audit-events/stream`,
    query: '?after=not-a-position',
    scope: 'events:read',
    action: 'Stream',
  },
  { method: 'GET', path: `${API}/admin/keys`, scope: 'admin', action: 'Admin action' },
  { method: 'POST', path: `${API}/admin/keys`, body: {}, scope: 'admin', action: 'Admin action' },
  { method: 'POST', path: `${API}/admin/keys/no-such-key/revoke`, scope: 'admin', action: 'Admin action' },
  { method: 'DELETE', path: `${API}/admin/keys/no-such-key`, scope: 'admin', action: 'Admin action' },
  { method: 'POST', path: `${API}/admin/functionalities`, body: {}, scope: 'admin', action: 'Admin action' },
  {
    method: 'POST',
    path: `${API}/admin/functionalities/Authenticate/event-types`,
    body: {},
    scope: 'admin',
    action: 'Admin action',
  },
  { method: 'PUT', path: `${API}/admin/companies/1`, body: {}, scope: 'admin', action: 'Admin action' },
  { method: 'PUT', path: `${API}/admin/companies/1/stores/1`, body: {}, scope: 'admin', action: 'Admin action' },
  { method: 'GET', path: `${API}/admin/partitions`, scope: 'admin', action: 'Admin action' },
  { method: 'GET', path: `${API}/admin/maintenance/runs`, query: '?limit=1', scope: 'admin', action: 'Admin action' },
  // Queued-ingest admin: its answers depend on the queue bindings; refusals prove the guards.
  { method: 'GET', path: `${API}/admin/ingest/status`, scope: 'admin', action: 'Admin action', admitted: false },
  { method: 'GET', path: `${API}/admin/ingest/dead-letters`, scope: 'admin', action: 'Admin action', admitted: false },
  {
    method: 'POST',
    path: `${API}/admin/ingest/dead-letters/1/replay`,
    scope: 'admin',
    action: 'Admin action',
    admitted: false,
  },
  // Sealing would seal the shared test database's events: only refusals are sent.
  { method: 'POST', path: `${API}/admin/integrity/seal`, scope: 'admin', action: 'Admin action', admitted: false },
  {
    method: 'POST',
    path: `${API}/admin/maintenance/run`,
    body: { months_to_keep: 0 },
    scope: 'admin',
    action: 'Admin action',
  },
];

const hex = (char: string) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** One spelling per segment: its first letter percent-encoded (lower- and upper-case hex). */
function percentVariants(path: string): string[] {
  const segments = path.split('/');
  const variants: string[] = [];
  segments.forEach((segment, i) => {
    if (segment === '') return;
    const encoded = [...segments];
    encoded[i] = `${hex(segment[0] ?? '')}${segment.slice(1)}`;
    variants.push(encoded.join('/'));
  });
  // Every letter of the last segment, upper-case hex: `%53%45...` is not `search`, `%73%65...` is.
  const last = segments.length - 1;
  const all = [...segments];
  all[last] = [...(segments[last] ?? '')].map((ch) => hex(ch).toUpperCase()).join('');
  variants.push(all.join('/'));
  return [...new Set(variants)];
}

/** One spelling per segment boundary with the slash doubled. */
function doubleSlashVariants(path: string): string[] {
  const variants: string[] = [];
  for (let i = 1; i < path.length; i++) {
    if (path[i] === '/') variants.push(`${path.slice(0, i)}/${path.slice(i)}`);
  }
  return [`/${path}`, ...variants];
}

/** Sends the route's request by this spelling; the body is read, so no stream stays open. */
async function send(key: string, route: Audited, path: string): Promise<{ status: number; detail: unknown }> {
  const response = await as(key).call(`${path}${route.query ?? ''}`, {
    method: route.method,
    ...(route.body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(route.body) }),
  });
  const text = await response.text();
  let detail: unknown = null;
  try {
    detail = (JSON.parse(text) as { detail?: unknown }).detail ?? null;
  } catch {
    // An export body (ndjson) or an empty one: only the status is compared.
  }
  return { status: response.status, detail };
}

interface AuditEvent {
  EventType: string;
  Status: string;
  AdditionalData: { method: string; path: string; status_code: number };
}

/** The self-audit events written for one key, found by search with the legacy key. */
async function auditOf(key: CreatedKey): Promise<AuditEvent[]> {
  const qs = new URLSearchParams({ functionality: 'Audit Service', user: key.name.slice(0, 20), page_size: '5000' });
  const response = await get(`${API}/audit-events/search?${qs}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: AuditEvent[] }).events;
}

const summary = (events: AuditEvent[], method: string, path: string) =>
  events
    .filter((e) => e.AdditionalData.method === method && e.AdditionalData.path === path)
    .map((e) => `${e.EventType} ${e.Status} ${e.AdditionalData.status_code}`);

/** A key with exactly this scope, and one without it. */
async function keysFor(scope: Audited['scope']) {
  const allowed = await createKey({ scopes: [scope], name: uniqueKeyName('enc') });
  const refused = await createKey({
    scopes: [scope === 'admin' ? 'events:read' : 'events:write'],
    name: uniqueKeyName('enc'),
  });
  return { allowed, refused };
}

describe('percent-encoded paths are scoped and audited like the plain path (issue 12.1)', () => {
  for (const route of AUDITED) {
    it(`${route.method} ${route.path}`, async () => {
      const { allowed, refused } = await keysFor(route.scope);
      const admits = route.admitted !== false;
      const plainAllowed = admits ? await send(allowed.key, route, route.path) : null;
      const plainRefused = await send(refused.key, route, route.path);
      if (plainAllowed) {
        expect(plainAllowed.status, 'the plain request is admitted').not.toBe(403);
        expect(plainAllowed.status).toBeLessThan(500);
      }
      expect(plainRefused.status).toBe(403);
      const refusal = plainRefused.detail;

      const variants = percentVariants(route.path);
      for (const path of variants) {
        if (plainAllowed) {
          const admitted = await send(allowed.key, route, path);
          expect(admitted.status, `${route.method} ${path} with ${route.scope}`).toBe(plainAllowed.status);
        }
        const denied = await send(refused.key, route, path);
        expect(denied.status, `${route.method} ${path} without ${route.scope}`).toBe(403);
        expect(denied.detail).toEqual(refusal);
      }

      const allowedEvents = plainAllowed ? await auditOf(allowed) : [];
      const refusedEvents = await auditOf(refused);
      for (const path of [route.path, ...variants]) {
        if (plainAllowed) {
          const outcome = plainAllowed.status < 400 ? 'Success' : 'Failed';
          expect(summary(allowedEvents, route.method, path), `audit of ${path} with ${route.scope}`).toEqual([
            `${route.action} ${outcome} ${plainAllowed.status}`,
          ]);
        }
        expect(summary(refusedEvents, route.method, path), `audit of ${path} without ${route.scope}`).toEqual([
          `${route.action} Failed 403`,
        ]);
      }
    });
  }

  it('a company-limited admin key may change its own company by any spelling, and only its own', async () => {
    const company = uniqueCompanyId();
    const tenant = await createKey({ scopes: ['admin'], companies: [company], name: uniqueKeyName('enc') });
    const route: Audited = {
      method: 'PUT',
      path: `${API}/admin/companies/${company}`,
      body: { name: 'Encoded Co' },
      scope: 'admin',
      action: 'Admin action',
    };
    const plain = await send(tenant.key, route, route.path);
    expect([200, 201]).toContain(plain.status);
    for (const path of percentVariants(route.path)) {
      expect((await send(tenant.key, route, path)).status, path).toBe(200);
    }
    // Another company, and the admin actions that need every company, stay refused by any spelling.
    for (const path of percentVariants(`${API}/admin/companies/${company + 1}`)) {
      expect((await send(tenant.key, { ...route, path }, path)).status, path).toBe(403);
    }
    for (const path of percentVariants(`${API}/admin/keys`)) {
      const response = await send(tenant.key, { ...route, method: 'GET', body: undefined }, path);
      expect(response.status, path).toBe(403);
      expect(response.detail).toBe('This admin action needs an admin key with access to every company');
    }
  });

  it('every audited operation of the OpenAPI document is in the list above', async () => {
    const doc = (await (await get('/pyaudit/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const reads = ['search', 'recent', 'export', 'stream'].map((name) => `${API}/audit-events/${name}`);
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!template.startsWith(`${API}/admin/`) && !reads.includes(template)) continue;
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const listed = AUDITED.some((r) => r.method === method && pattern.test(r.path));
        expect(listed, `${method} ${template} is missing from AUDITED`).toBe(true);
      }
    }
  });
});

describe('double-slash paths reach no handler (issue 12.1)', () => {
  let reader: CreatedKey;
  let everything: CreatedKey;
  beforeAll(async () => {
    reader = await createKey({ scopes: ['events:read'], name: uniqueKeyName('dbl') });
    everything = await createKey({ scopes: ['events:read', 'events:write', 'admin'], name: uniqueKeyName('dbl') });
  });

  for (const route of AUDITED) {
    it(`${route.method} ${route.path}: refused without a scope, 404 with one, nothing written`, async () => {
      const minted = uniqueKeyName('dbl-minted');
      const admitted =
        route.method === 'POST' && route.path === `${API}/admin/keys`
          ? { ...route, body: { name: minted, scopes: ['events:read'] } }
          : route;
      for (const path of doubleSlashVariants(route.path)) {
        const full = await send(everything.key, admitted, path);
        expect(full.status, `${route.method} ${path}`).toBe(404);
        const narrow = await send(reader.key, admitted, path);
        expect([403, 404], `${route.method} ${path}`).toContain(narrow.status);
      }
      // No handler ran: no key was minted, and nothing was audited as a read or an action.
      const keys = (await (await get(`${API}/admin/keys`)).json()) as { Data: { name: string }[] };
      expect(keys.Data.map((k) => k.name)).not.toContain(minted);
      expect(await auditOf(everything)).toEqual([]);
      expect(await auditOf(reader)).toEqual([]);
    });
  }
});
