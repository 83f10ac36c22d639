import { useCallback, useEffect, useState } from 'preact/hooks';
import { type AuditEvent, api, describeApiError, type Schemas, session } from './api/client';
import { EventDetail } from './components/EventDetail';
import { ExportButtons } from './components/ExportButtons';
import { FilterForm } from './components/FilterForm';
import { Histogram } from './components/Histogram';
import { DEFAULT_COLUMNS, Results } from './components/Results';
import { checkKey, SignIn, type Whoami, WhoamiBar } from './components/SignIn';
import { centralIso } from './lib/central';
import { type Filters, filtersFromUrl, filtersToUrl, toQuery } from './lib/filters';
import { followLive } from './lib/live';

const PAGE_SIZE = 100;
const COLUMNS_STORAGE = 'pyaudit.columns';
/** Hourly bars up to this span, daily beyond it. */
const HOURLY_SPAN_MS = 7 * 24 * 3_600_000;

type SearchResult = Schemas['SearchResult'];
type Stats = Schemas['EventStats'];

/** The open event as URL parameters: its id, instant and company find it again with search. */
const eventParams = (e: AuditEvent) => ({ id: String(e.Id), at: e.EventTimestampISO, cid: String(e.CompanyId) });

async function fetchStats(f: Filters): Promise<Stats> {
  const query = toQuery(f);
  const hourly = await api.GET('/pyaudit/api/audit-events/stats', { params: { query: { ...query, bucket: 'hour' } } });
  if (!hourly.data) throw new Error(describeApiError(hourly.error, hourly.response.status));
  const b = hourly.data.buckets;
  const span = b.length > 1 ? (b[b.length - 1]?.start_ms ?? 0) - (b[0]?.start_ms ?? 0) : 0;
  if (span <= HOURLY_SPAN_MS) return hourly.data;
  const daily = await api.GET('/pyaudit/api/audit-events/stats', { params: { query: { ...query, bucket: 'day' } } });
  if (!daily.data) throw new Error(describeApiError(daily.error, daily.response.status));
  return daily.data;
}

/** Reopens an event from a shared link: search the millisecond it happened in, in its company. */
async function findEvent(id: string, at: string, cid: string): Promise<AuditEvent | null> {
  const { data } = await api.GET('/pyaudit/api/audit-events/search', {
    params: {
      query: {
        from_date: at,
        to_date: at,
        company_id: Number(cid),
        include_archived: 'true',
        page_size: 5000,
      },
    },
  });
  return data?.events.find((e) => String(e.Id) === id) ?? null;
}

export function App() {
  const [who, setWho] = useState<Whoami | null>(null);
  const [checking, setChecking] = useState(session.get() !== null);
  const [form, setForm] = useState<Filters>(() => filtersFromUrl(new URLSearchParams(location.search)));
  const [applied, setApplied] = useState<Filters | null>(null);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const [live, setLive] = useState(false);
  const [liveStatus, setLiveStatus] = useState('');
  const [columns, setColumns] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem(COLUMNS_STORAGE) ?? '') as string[];
    } catch {
      return DEFAULT_COLUMNS;
    }
  });

  const runSearch = useCallback(async (f: Filters, page: number, cursor: string | undefined) => {
    setLoading(true);
    setError(null);
    const {
      data,
      error: apiError,
      response,
    } = await api.GET('/pyaudit/api/audit-events/search', {
      params: { query: { ...toQuery(f), page_size: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
    });
    setLoading(false);
    if (!data) {
      setError(describeApiError(apiError, response.status));
      setResult(null);
      return;
    }
    setResult(data);
    setCursors((stack) => {
      const next = stack.slice(0, page);
      next[page - 1] = cursor;
      if (data.next_cursor) next[page] = data.next_cursor;
      return next;
    });
  }, []);

  /** A new search: URL, first page, histogram. `push` = a new history entry (shareable URL). */
  const search = useCallback(
    (f: Filters, push = true) => {
      setForm(f);
      setApplied(f);
      setCursors([undefined]);
      if (push) history.pushState(null, '', filtersToUrl(f));
      void runSearch(f, 1, undefined);
      setStats(null);
      fetchStats(f).then(setStats, (e: Error) => setError(e.message));
    },
    [runSearch],
  );

  const start = useCallback(async () => {
    const params = new URLSearchParams(location.search);
    const f = filtersFromUrl(params);
    search(f, false);
    const id = params.get('id');
    const at = params.get('at');
    const cid = params.get('cid');
    if (id && at && cid) {
      const found = await findEvent(id, at, cid);
      if (found) setOpen(found);
      else setError(`Event ${id} was not found (or this key may not read it)`);
    }
  }, [search]);

  useEffect(() => {
    const key = session.get();
    if (!key) return;
    checkKey(key).then((r) => {
      setChecking(false);
      if (r.who) setWho(r.who);
    });
  }, []);
  useEffect(() => {
    if (who) void start();
  }, [who, start]);
  useEffect(() => {
    const onPop = () => {
      setOpen(null);
      void start();
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [start]);

  // Live: new matching events are put on top of the results as they are committed.
  useEffect(() => {
    if (!live || !applied || !who) return;
    return followLive(
      applied,
      (e) => setResult((r) => (r ? { ...r, events: [e, ...r.events], total_count: r.total_count + 1 } : r)),
      setLiveStatus,
    );
  }, [live, applied, who]);

  const openEvent = (e: AuditEvent | null) => {
    setOpen(e);
    if (applied) history.replaceState(null, '', filtersToUrl(applied, e ? eventParams(e) : {}));
  };
  const closeEvent = useCallback(() => openEvent(null), [applied]);

  if (checking) return <p>Checking the saved key…</p>;
  if (!who) return <SignIn onSignedIn={setWho} />;

  const page = cursors.length > 0 && result ? result.current_page : 1;
  return (
    <>
      <WhoamiBar
        who={who}
        onSignOut={() => {
          session.clear();
          setWho(null);
          setResult(null);
        }}
      />
      <FilterForm value={form} onChange={setForm} onSearch={(f) => search(f)} />
      {error && (
        <p role="alert" class="error" data-testid="error">
          {error}
        </p>
      )}
      {stats && applied && stats.buckets.length > 0 && (
        <Histogram
          stats={stats}
          onPick={(from, to) => search({ ...applied, from_date: centralIso(from), to_date: centralIso(to - 1000) })}
        />
      )}
      {applied && <ExportButtons filters={applied} />}
      <div class="live">
        <input id="live" type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
        <label for="live">Live (new events appear on top)</label>
        <span data-testid="live-status" aria-live="polite">
          {live ? liveStatus : ''}
        </span>
      </div>
      {loading && <p aria-live="polite">Searching…</p>}
      {result && applied && (
        <div class={open ? 'split' : ''}>
          <Results
            result={result}
            page={page}
            columns={columns}
            onColumns={(c) => {
              setColumns(c);
              localStorage.setItem(COLUMNS_STORAGE, JSON.stringify(c));
            }}
            onOpen={openEvent}
            onNext={result.next_cursor ? () => runSearch(applied, page + 1, result.next_cursor ?? undefined) : null}
            onPrevious={page > 1 ? () => runSearch(applied, page - 1, cursors[page - 2]) : null}
          />
          {open && <EventDetail event={open} link={filtersToUrl(applied, eventParams(open))} onClose={closeEvent} />}
        </div>
      )}
    </>
  );
}
