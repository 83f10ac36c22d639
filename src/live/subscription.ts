import type { EventFilter } from '../db/queries/events';
import type { EventObject } from '../lib/event-object';

/** What a stream asks for: the search filters it may use (names, not ids) and its key's companies. */
export interface StreamFilter {
  companyId?: number;
  storeId?: number;
  user?: string;
  functionality?: string;
  eventType?: string;
  status?: 'Success' | 'Failed';
  messagePattern?: string;
  /** The key's companies; null = all. */
  companies: number[] | null;
}

/** Per-stream settings, from the configuration of the request that opened it. */
export interface StreamSettings {
  heartbeatMs: number;
  /** How often the key is re-checked for revocation (the key cache's TTL). */
  keyCheckMs: number;
  maxStreamsPerKey: number;
}

/** A stream to open, as the route hands it to the fan-out object. */
export interface Subscription {
  filter: StreamFilter;
  /** Resume after this position (Last-Event-ID or ?after=); null = from now. */
  after: string | null;
  key: { name: string; id: number | null };
  settings: StreamSettings;
}

/**
 * The same filter as SQL conditions take it (catch-up reads the database). The live fan-out
 * matches in memory with `matchesFilter`; both apply the same rules, tested side by side.
 */
export function toEventFilter(filter: StreamFilter): EventFilter {
  // A stream's fields are a subset of the search filter's, with the same names and meaning.
  return { ...filter, includeArchived: false };
}

/**
 * The fields of a search filter a stream uses (no time range, no catalogue ids, no archive),
 * as a plain object the route can hand to the fan-out object.
 */
export function toStreamFilter(filter: EventFilter): StreamFilter {
  return {
    companyId: filter.companyId,
    storeId: filter.storeId,
    user: filter.user,
    functionality: filter.functionality,
    eventType: filter.eventType,
    status: filter.status,
    messagePattern: filter.messagePattern,
    companies: filter.companies === null ? null : [...filter.companies],
  };
}

/** In-memory match of one event: exact names, case-insensitive message substring (ILIKE '%p%'). */
export function matchesFilter(event: EventObject, filter: StreamFilter): boolean {
  if (filter.companies !== null && !filter.companies.includes(event.CompanyId)) return false;
  if (filter.companyId !== undefined && event.CompanyId !== filter.companyId) return false;
  if (filter.storeId !== undefined && event.StoreLocationID !== filter.storeId) return false;
  if (filter.user !== undefined && event.UserName !== filter.user) return false;
  if (filter.functionality !== undefined && event.Functionality !== filter.functionality) return false;
  if (filter.eventType !== undefined && event.EventType !== filter.eventType) return false;
  if (filter.status !== undefined && event.Status !== filter.status) return false;
  if (filter.messagePattern !== undefined && !event.Message.toLowerCase().includes(filter.messagePattern.toLowerCase()))
    return false;
  return true;
}
