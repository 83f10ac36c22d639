import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { ingestGrouped } from '../db/grouped-ingest';
import type { IngestRow } from '../db/queries/events';
import { afterResponse } from './after-response';

/**
 * The audit of the auditors: every read of the trail (search, recent, export, stream) and every
 * admin request is itself stored as an event of the `Audit Service` functionality (sql/021), with
 * the key's name as the user and the parameters used as additional_data. Which requests, and as
 * what, each route declares (its `audit` in defineRoute); this reads the matched route's
 * declaration, never the URL. The event is written after the response (afterResponse), so it
 * never slows or fails the request.
 *
 * company_id is 0 (no company: the service itself) unless the key is limited to exactly one
 * company; then it is that company, so a tenant can see how its own key was used while nobody
 * else's reads become visible to it.
 */
export const AUDIT_FUNCTIONALITY = 'Audit Service';
export type AuditedAction = 'Search' | 'Recent' | 'Export' | 'Stream' | 'Admin action';

// Per request (keyed by the Request object, gone with it): what a route adds about its action,
// such as the name of the key it revoked. Never a key's text.
const notes = new WeakMap<Request, Record<string, unknown>>();

export function noteForAudit(c: Context<AppEnv>, details: Record<string, unknown>): void {
  notes.set(c.req.raw, { ...notes.get(c.req.raw), ...details });
}

const MAX_PARAMS = 50;
const MAX_TEXT = 500;
const KEY_LIKE = /pak_[a-z0-9]{8}_/;

/** Query values as stored: bounded, storable as jsonb (no NUL, no lone surrogates), no keys. */
function storableParams(c: Context<AppEnv>): Record<string, string | string[]> {
  const secrets = new Set(c.var.config.API_KEYS);
  const clean = (value: string) => {
    if (KEY_LIKE.test(value) || secrets.has(value)) return '[redacted]';
    const text = (value as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '');
    return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  };
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(c.req.queries()).slice(0, MAX_PARAMS)) {
    out[clean(name)] = values.length === 1 ? clean(values[0] ?? '') : values.slice(0, MAX_PARAMS).map(clean);
  }
  return out;
}

export const recordSelfAudit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const action = c.var.config.SELF_AUDIT ? c.var.route.audit : null;
  if (!action) return next();
  // The path as sent (a percent-encoded spelling stays visible); the action is the matched route's.
  const path = new URL(c.req.url).pathname;
  const at = new Date();
  await next();
  const status = c.res.status;
  // A request the service failed (5xx) did not read anything; writing to a sick database helps nobody.
  if (status >= 500) return;
  const { principal, requestId } = c.var;
  const shownPath = path.length > MAX_TEXT ? `${path.slice(0, MAX_TEXT)}…` : path;
  const row: IngestRow = {
    idx: 0,
    ts: at.toISOString(),
    functionality: AUDIT_FUNCTIONALITY,
    event_type: action,
    store_id: null,
    company_id: principal.companies?.length === 1 ? (principal.companies[0] ?? 0) : 0,
    username: principal.name.slice(0, 20),
    message: `${action} by API key ${principal.name}: ${c.req.method} ${shownPath} answered ${status}`,
    status: status < 400 ? 'Success' : 'Failed',
    additional_data: {
      api_key: principal.name,
      key_prefix: principal.prefix,
      key_source: principal.source,
      method: c.req.method,
      path: shownPath,
      status_code: status,
      request_id: requestId,
      params: storableParams(c),
      ...notes.get(c.req.raw),
    },
    event_id: null,
  };
  // Grouped with the other reads' rows of this isolate: one INSERT for many reads.
  afterResponse(c, 'self-audit event', (db) => ingestGrouped(c, row, 'self-audit', () => db));
};
