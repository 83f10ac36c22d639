import type { SearchQuery } from '../api/client';
import { centralDate, centralIso } from './central';

/** The search form's state; every field is also a URL parameter, so a search can be shared. */
export interface Filters {
  company_id: string;
  store_id: string;
  user: string;
  functionality: string;
  event_type: string;
  message_pattern: string;
  status: string;
  from_date: string;
  to_date: string;
  include_archived: boolean;
}

export const EMPTY: Filters = {
  company_id: '',
  store_id: '',
  user: '',
  functionality: '',
  event_type: '',
  message_pattern: '',
  status: '',
  from_date: '',
  to_date: '',
  include_archived: false,
};

const TEXT_FIELDS = [
  'company_id',
  'store_id',
  'user',
  'functionality',
  'event_type',
  'message_pattern',
  'status',
  'from_date',
  'to_date',
] as const;

export function filtersFromUrl(params: URLSearchParams): Filters {
  const f: Filters = { ...EMPTY };
  for (const name of TEXT_FIELDS) f[name] = params.get(name) ?? '';
  f.include_archived = params.get('include_archived') === 'true';
  return f;
}

/** URL parameters for the filters (empty ones left out) plus any extra (the open event). */
export function filtersToUrl(f: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of TEXT_FIELDS) if (f[name].trim() !== '') params.set(name, f[name].trim());
  if (f.include_archived) params.set('include_archived', 'true');
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : location.pathname;
}

const id = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
const str = (text: string) => (text.trim() === '' ? undefined : text.trim());

/** The filters as the API's query (search, stats): the service validates and words any error. */
export function toQuery(f: Filters): SearchQuery {
  return {
    company_id: id(f.company_id),
    store_id: id(f.store_id),
    user: str(f.user),
    functionality: str(f.functionality),
    event_type: str(f.event_type),
    message_pattern: str(f.message_pattern),
    status: f.status === 'Success' || f.status === 'Failed' ? f.status : undefined,
    from_date: str(f.from_date),
    to_date: str(f.to_date),
    include_archived: f.include_archived ? 'true' : undefined,
  };
}

export type Preset = 'hour' | 'today' | '7d' | '30d';
export const PRESETS: { id: Preset; label: string }[] = [
  { id: 'hour', label: 'Last hour' },
  { id: 'today', label: 'Today' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A preset as a Central Time range: open-ended at now, exact instants (Central offsets). */
export function presetRange(preset: Preset, now = Date.now()): { from_date: string; to_date: string } {
  switch (preset) {
    case 'hour':
      return { from_date: centralIso(now - HOUR), to_date: '' };
    case 'today':
      return { from_date: centralDate(now), to_date: '' };
    case '7d':
      return { from_date: centralIso(now - 7 * DAY), to_date: '' };
    case '30d':
      return { from_date: centralIso(now - 30 * DAY), to_date: '' };
  }
}
