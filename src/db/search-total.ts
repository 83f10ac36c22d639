import type { Database } from './client';
import { countEvents, type EventFilter } from './queries/events';

/**
 * A search's total (total_count, total_pages) without a count(*) whenever it is not needed
 * (issue 18; docs/query-plans.md, "Totals"). The count repeats the whole filter over every
 * matching row, which is most of a search's database time on large results.
 *
 * 1. The page itself gives the exact total when it is the last one: fewer rows than page_size,
 *    not cut by the byte budget, and its place known (page_number paging, so the rows before it
 *    are exactly (page_number - 1) x page_size). Most searches of the dashboard fit in one page.
 * 2. Otherwise a count of the same filter (the same normalised filter and key's company scope,
 *    on the same database) made by this isolate less than SEARCH_COUNT_REUSE_SECONDS ago is
 *    reused: paging through a result, or a dashboard refreshing, counts once. Such a total can
 *    miss events stored since (at most that many seconds' worth); it is never less than the
 *    rows up to this page. SEARCH_COUNT_REUSE_SECONDS=0 counts every time.
 * 3. Otherwise it counts.
 */
export interface PageFacts {
  /** Rows before this page, when known (page_number paging); null for a cursor page. */
  offset: number | null;
  rows: number;
  pageSize: number;
  truncated: boolean;
}

export interface TotalOptions {
  reuseSeconds: number;
  /** Which database: counts of one are never reused for another. */
  target: string;
}

interface Reused {
  total: number;
  until: number;
}

// Outlives requests: recent counts of this isolate, oldest first (Map keeps insertion order).
const reused = new Map<string, Reused>();
const MAX_REUSED = 500;

export async function searchTotal(
  db: Database,
  filter: EventFilter,
  page: PageFacts,
  options: TotalOptions,
): Promise<number> {
  const { offset, rows, pageSize, truncated } = page;
  if (offset !== null && !truncated && rows < pageSize && (rows > 0 || offset === 0)) return offset + rows;
  // Rows shown prove at least as many before and on this page (an empty page past the end proves nothing).
  const atLeast = rows > 0 ? (offset ?? 0) + rows : 0;
  if (options.reuseSeconds <= 0) return countEvents(db, filter);

  const key = `${options.target}\n${JSON.stringify(filter)}`;
  const now = Date.now();
  const hit = reused.get(key);
  if (hit && hit.until > now) return Math.max(hit.total, atLeast);
  const total = await countEvents(db, filter);
  reused.delete(key);
  if (reused.size >= MAX_REUSED) {
    const oldest = reused.keys().next().value;
    if (oldest !== undefined) reused.delete(oldest);
  }
  reused.set(key, { total, until: now + options.reuseSeconds * 1000 });
  return total;
}
