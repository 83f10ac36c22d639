import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';

export const KEY = 'test-key-primary';
export const BASE = '/pyaudit/api/audit-events';
export const isEmbedded = env.TEST_EMBEDDED === 'true';

/** Calls the Worker's own fetch handler, as the runtime would, and waits for its waitUntil work. */
export async function call(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`http://localhost${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...overrides } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

export const get = (path: string, headers: Record<string, string> = {}, overrides: Partial<Env> = {}) =>
  call(path, { headers: { 'CSIQ-APIKEY': KEY, ...headers } }, overrides);

export const postJson = (path: string, body?: unknown, overrides: Partial<Env> = {}) =>
  call(
    path,
    {
      method: 'POST',
      headers: { 'CSIQ-APIKEY': KEY, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    overrides,
  );

/** A company id no other test uses, so tests can run side by side on one database. */
export function uniqueCompanyId(): number {
  return 1_000_000 + Math.floor(Math.random() * 2_000_000_000);
}

export interface EventBody {
  event_timestamp: string;
  functionality: string;
  event_type: string;
  store_id?: number | null;
  company_id: number;
  user?: string | null;
  message: string;
  status?: 'Success' | 'Failed';
  additional_data?: Record<string, unknown> | null;
  event_id?: string;
}

export function event(overrides: Partial<EventBody> & { company_id: number }): EventBody {
  return {
    event_timestamp: new Date(Date.now() - 60_000).toISOString(),
    functionality: 'Authenticate',
    event_type: 'Login',
    store_id: 101,
    user: 'jdoe',
    message: 'User logged in successfully',
    status: 'Success',
    additional_data: { ip: '192.168.1.10', browser: 'Chrome' },
    ...overrides,
  };
}

export async function createEvent(body: EventBody, overrides: Partial<Env> = {}): Promise<number> {
  const response = await postJson(`${BASE}/create`, body, overrides);
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: number }).id;
}

/** The search response, as tests read it (EventSchema fields they look at). */
export interface SearchBody {
  StatusCode: number;
  message: string;
  count: number;
  current_page: number;
  total_pages: number;
  page_size: number;
  total_count: number;
  next_cursor: string | null;
  warning?: string;
  events: (Record<string, unknown> & {
    Id: number;
    UserName: string | null;
    Message: string;
    EventType: string;
    Status: string;
    StoreLocationID: number | null;
  })[];
}

/** GET search with these parameters; fails the test unless it answers 200. */
export async function search(params: Record<string, string | number>): Promise<SearchBody> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await get(`${BASE}/search?${qs}`);
  if (response.status !== 200) throw new Error(`search failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as SearchBody;
}
