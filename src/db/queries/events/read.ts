import { and, desc, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { CENTRAL_TZ } from '../../../lib/central-time';
import { pgTimestampToMicros } from '../../../lib/epoch-micros';
import { selectFlatRows } from '../../array-rows';
import type { Database } from '../../client';
import {
  auditEvents,
  auditEventsAll,
  auditEventTypes,
  auditFunctionalities,
  companies,
  storeLocations,
} from '../../schema';

/** Filters shared by recent, search and export; every one of them combines with AND. */
export interface EventFilter {
  fromMs?: number;
  /** Exclusive upper bound, already widened to the precision the caller wrote. */
  toExclusiveMs?: number;
  functionality?: string;
  eventType?: string;
  /** Used instead of the name when the dashboard sent an id in the name parameter (issue 11.4). */
  functionalityId?: number;
  eventTypeId?: number;
  companyId?: number;
  storeId?: number;
  user?: string;
  messagePattern?: string;
  status?: 'Success' | 'Failed';
  includeArchived: boolean;
  /** The calling key's companies; null = all. */
  companies: readonly number[] | null;
}

/**
 * Where the last row of a page was: keyset position in (eventtimestamp DESC, id DESC). The
 * time is epoch microseconds as decimal text (src/lib/epoch-micros.ts): exact, and never a
 * time zone text for the database to interpret.
 */
export interface KeysetPosition {
  micros: string;
  id: number;
}

/** The keyset position of a row read from the database. */
export function positionOf(row: { eventTimestamp: string; id: number }): KeysetPosition {
  const micros = pgTimestampToMicros(row.eventTimestamp);
  if (micros === null) throw new Error(`unexpected timestamp text from the database: ${row.eventTimestamp}`);
  return { micros, id: row.id };
}

// The live table and the live+archive view have the same columns; one query serves both.
type EventSource = typeof auditEvents;
const sourceFor = (filter: EventFilter): EventSource =>
  (filter.includeArchived ? auditEventsAll : auditEvents) as unknown as EventSource;

/** `%` and `_` are characters to find, not wildcards. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const isoOf = (ms: number) => new Date(ms).toISOString();

export function conditions(src: EventSource, filter: EventFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.fromMs !== undefined) where.push(gte(src.eventTimestamp, isoOf(filter.fromMs)));
  if (filter.toExclusiveMs !== undefined) where.push(lt(src.eventTimestamp, isoOf(filter.toExclusiveMs)));
  if (filter.companyId !== undefined) where.push(eq(src.companyId, filter.companyId));
  if (filter.companies !== null)
    where.push(inArray(src.companyId, filter.companies.length ? [...filter.companies] : [-1]));
  if (filter.storeId !== undefined) where.push(eq(src.storeLocationId, filter.storeId));
  if (filter.user !== undefined) where.push(eq(src.username, filter.user));
  if (filter.status !== undefined) where.push(eq(src.status, filter.status));
  if (filter.messagePattern !== undefined) {
    where.push(sql`${src.message} ILIKE ${`%${escapeLike(filter.messagePattern)}%`}`);
  }
  // Names become ids in an InitPlan, so the (functionalityid, eventtypeid, time) index applies.
  if (filter.functionalityId !== undefined) {
    where.push(eq(src.functionalityId, filter.functionalityId));
  } else if (filter.functionality !== undefined) {
    where.push(
      sql`${src.functionalityId} = ANY(ARRAY(SELECT functionalityid FROM auditfunctionalities WHERE functionalityname = ${filter.functionality}))`,
    );
  }
  if (filter.eventTypeId !== undefined) {
    where.push(eq(src.eventTypeId, filter.eventTypeId));
  } else if (filter.eventType !== undefined) {
    where.push(eventTypeByName(src, filter, filter.eventType));
  }
  return where;
}

/** Event type ids of a name, narrowed to the functionality when one is given (by name or id). */
function eventTypeByName(src: EventSource, filter: EventFilter, name: string): SQL {
  if (filter.functionalityId !== undefined) {
    return sql`${src.eventTypeId} = ANY(ARRAY(SELECT eventtypeid FROM auditeventtypes WHERE eventtypename = ${name} AND functionalityid = ${filter.functionalityId}))`;
  }
  if (filter.functionality !== undefined) {
    return sql`${src.eventTypeId} = ANY(ARRAY(SELECT t.eventtypeid FROM auditeventtypes t JOIN auditfunctionalities f USING (functionalityid) WHERE t.eventtypename = ${name} AND f.functionalityname = ${filter.functionality}))`;
  }
  return sql`${src.eventTypeId} = ANY(ARRAY(SELECT eventtypeid FROM auditeventtypes WHERE eventtypename = ${name}))`;
}

const newestFirst = (src: EventSource) => [desc(src.eventTimestamp), desc(src.id)];
const before = (src: EventSource, position: KeysetPosition) =>
  sql`(${src.eventTimestamp}, ${src.id}) < (TIMESTAMPTZ 'epoch' + ${position.micros}::bigint * INTERVAL '1 microsecond', ${position.id}::bigint)`;

function selectEnriched(db: Database, src: EventSource) {
  return selectEnrichedWith(db, src, {});
}

/**
 * The enriched row plus extra computed columns (the export's running size, the page's byte
 * budget). src is the events table or a subquery that selected its columns under their names
 * (budgetedPage's page): the names are joined to whichever rows src holds.
 */
export function selectEnrichedWith<E extends Record<string, SQL.Aliased>>(db: Database, src: EventSource, extra: E) {
  return db
    .select({
      ...extra,
      id: src.id,
      eventTimestamp: src.eventTimestamp,
      functionality: auditFunctionalities.functionalityName,
      eventType: auditEventTypes.eventTypeName,
      storeLocationId: src.storeLocationId,
      storeName: storeLocations.storeName,
      companyId: src.companyId,
      companyName: companies.companyName,
      username: src.username,
      message: src.message,
      status: src.status,
      additionalData: src.additionalData,
    })
    .from(src)
    .innerJoin(auditFunctionalities, eq(auditFunctionalities.functionalityId, src.functionalityId))
    .innerJoin(auditEventTypes, eq(auditEventTypes.eventTypeId, src.eventTypeId))
    .leftJoin(companies, eq(companies.companyId, src.companyId))
    .leftJoin(
      storeLocations,
      and(eq(storeLocations.companyId, src.companyId), eq(storeLocations.storeLocationId, src.storeLocationId)),
    );
}

export type EventRow = Awaited<ReturnType<ReturnType<typeof selectEnriched>['execute']>>[number];

export interface PageRequest {
  limit: number;
  /** Rows to skip (page_number paging); ignored when `after` is given. */
  offset: number;
  after?: KeysetPosition;
}

/**
 * One page, newest first. Deep offsets do not join the rows they skip: an index-only scan finds
 * the first row of the page, then the page is read from there like a keyset page.
 */
export async function pageOfEvents(
  db: Database,
  filter: EventFilter,
  page: PageRequest & { maxBytes: number },
): Promise<{ rows: EventRow[]; truncated: boolean }> {
  const src = sourceFor(filter);
  const where = pageConditions(db, src, filter, page);
  const rows = await selectFlatRows(db, budgetedPage(db, src, where, page.limit, page.maxBytes));
  const last = rows[rows.length - 1];
  // Cut short by the budget: the last row kept filled it, it is not the page's last row, and
  // another row follows it.
  const truncated =
    last !== undefined && Number(last.bytesThrough) >= page.maxBytes && Number(last.rn) < page.limit && last.hasNext;
  return { rows, truncated };
}

function pageConditions(db: Database, src: EventSource, filter: EventFilter, page: PageRequest): SQL[] {
  const where = conditions(src, filter);
  if (page.after) {
    where.push(before(src, page.after));
  } else if (page.offset > 0) {
    const boundary = db
      .select({ ts: src.eventTimestamp, id: src.id })
      .from(src)
      .where(and(...conditions(src, filter)))
      .orderBy(...newestFirst(src))
      .offset(page.offset)
      .limit(1);
    // drizzle selects the columns under their own names (eventtimestamp, id).
    where.push(sql`(${src.eventTimestamp}, ${src.id}) <= (SELECT b.eventtimestamp, b.id FROM (${boundary}) AS b)`);
  }
  return where;
}

/**
 * A page (or an export batch) of at most `limit` rows that also stops once the rows before a row
 * hold `maxBytes` of message and additional data as text (issue 13.2, 13.8: uncompressed sizes,
 * so a run of very large rows comes in smaller batches): 5000 rows of 10,000-character messages and
 * 16 KB of additional data would be ~130 MB of JSON, past a Worker's 128 MB. Always at least one
 * row. Each row says how far it got (rn, bytes through it, whether a row follows), so the caller
 * can tell a page cut by the budget from one that ended.
 *
 * Shaped for the database's CPU (issue 18, docs/query-plans.md): the events are read first,
 * `limit + 1` of them in index order with each row's size computed once; one window over those
 * (a single WindowAgg: every window function has the same window) numbers them, sums their sizes
 * and looks one row ahead; the catalogue and directory names are joined to the page's rows only,
 * after the limit, where the planner can hash the small tables instead of probing them per row.
 */
function budgetedPage(db: Database, src: EventSource, where: SQL[], limit: number, maxBytes: number) {
  const { page, bytesBefore } = budgetedRows(db, src, where, limit);
  // The page repeats the table's columns under their names; in FROM it renders as the subquery.
  return selectEnrichedWith(db, page as unknown as EventSource, {
    bytesBefore: sql<string>`${bytesBefore}`.as('bytes_before'),
    bytesThrough: page.bytesThrough,
    rn: page.rn,
    hasNext: page.hasNext,
  })
    .where(sql`${bytesBefore} < ${maxBytes}`)
    .orderBy(desc(page.eventTimestamp), desc(page.id));
}

/**
 * An export batch: budgetedPage's rows without its budget columns, which the export does not
 * read. Each column sent is a value the driver decodes per row (a Buffer toString, the export's
 * largest Worker CPU cost in workerd: issue 18, docs/export.md).
 */
function budgetedBatch(db: Database, src: EventSource, where: SQL[], limit: number, maxBytes: number) {
  const { page, bytesBefore } = budgetedRows(db, src, where, limit);
  return selectEnriched(db, page as unknown as EventSource)
    .where(sql`${bytesBefore} < ${maxBytes}`)
    .orderBy(desc(page.eventTimestamp), desc(page.id));
}

/** budgetedPage's subquery: the rows in order, each with its size, the running size and rn. */
function budgetedRows(db: Database, src: EventSource, where: SQL[], limit: number) {
  const sized = db
    .select({
      id: src.id,
      eventTimestamp: src.eventTimestamp,
      functionalityId: src.functionalityId,
      eventTypeId: src.eventTypeId,
      storeLocationId: src.storeLocationId,
      companyId: src.companyId,
      username: src.username,
      message: src.message,
      status: src.status,
      additionalData: src.additionalData,
      bytes: sql<string>`${textBytes(src)}`.as('bytes'),
    })
    .from(src)
    .where(and(...where))
    .orderBy(...newestFirst(src))
    .limit(limit + 1)
    .as('sized');
  const window = sql`(ORDER BY ${sized.eventTimestamp} DESC, ${sized.id} DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
  const page = db
    .select({
      id: sized.id,
      eventTimestamp: sized.eventTimestamp,
      functionalityId: sized.functionalityId,
      eventTypeId: sized.eventTypeId,
      storeLocationId: sized.storeLocationId,
      companyId: sized.companyId,
      username: sized.username,
      message: sized.message,
      status: sized.status,
      additionalData: sized.additionalData,
      bytes: sized.bytes,
      bytesThrough: sql<string>`sum(${sized.bytes}) OVER ${window}`.as('bytes_through'),
      rn: sql<string>`row_number() OVER ${window}`.as('rn'),
      hasNext: sql<boolean>`(lead(${sized.id}) OVER ${window}) IS NOT NULL`.as('has_next'),
    })
    .from(sized)
    .orderBy(desc(sized.eventTimestamp), desc(sized.id))
    .limit(limit)
    .as('page');
  return { page, bytesBefore: sql`${page.bytesThrough} - ${page.bytes}` };
}

/**
 * What a row's message and additional data take as text, in bytes (uncompressed: octet_length
 * reads a text's length from its header; the jsonb is measured as the text it is sent as).
 */
const textBytes = (src: EventSource) =>
  sql`octet_length(${src.message}) + coalesce(octet_length(${src.additionalData}::text), 0)`;

export async function countEvents(db: Database, filter: EventFilter): Promise<number> {
  const src = sourceFor(filter);
  const [row] = await db
    .select({ n: sql<string>`count(*)` })
    .from(src)
    .where(and(...conditions(src, filter)));
  return Number(row?.n ?? 0);
}

/**
 * Every matching row, newest first, in keyset batches: each batch is a fresh index range scan,
 * so memory holds one batch and no cursor or transaction stays open between them.
 */
export async function* eachEventBatch(
  db: Database,
  filter: EventFilter,
  options: {
    /** A function is asked before each query, so a caller can size batches by what it saw. */
    batchSize: number | (() => number);
    maxRows?: number;
    /** Cut a batch once its rows hold this many bytes of message and additional data. */
    maxBatchBytes?: number;
  },
): AsyncGenerator<EventRow[]> {
  const src = sourceFor(filter);
  let after: KeysetPosition | undefined;
  let remaining = options.maxRows ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const limit = Math.min(typeof options.batchSize === 'number' ? options.batchSize : options.batchSize(), remaining);
    const where = conditions(src, filter);
    if (after) where.push(before(src, after));
    const rows: EventRow[] =
      options.maxBatchBytes === undefined
        ? await selectFlatRows(
            db,
            selectEnriched(db, src)
              .where(and(...where))
              .orderBy(...newestFirst(src))
              .limit(limit),
          )
        : await selectFlatRows(db, budgetedBatch(db, src, where, limit, options.maxBatchBytes));
    if (rows.length === 0) return;
    yield rows;
    remaining -= rows.length;
    // A batch cut by size is not the last one; only a short batch by rows is.
    if (rows.length < limit && options.maxBatchBytes === undefined) return;
    const last = rows[rows.length - 1];
    if (!last) return;
    after = positionOf(last);
  }
}

export type StatsBucket = 'hour' | 'day';

export interface StatsRow {
  /** Start of the bucket, epoch milliseconds. */
  startMs: number;
  success: number;
  failed: number;
}

/**
 * Events per bucket, split Success/Failed, for the search filters (same conditions, so the same
 * indexes and the same tenant scoping as search). Buckets are Central Time: a day is a Central
 * calendar day (23 or 25 hours on DST days, date_trunc with the zone); an hour is truncated in
 * UTC, which is the same boundary because Central offsets are whole hours, and keeps the two
 * 01:00 hours of the autumn change apart. Only buckets with events are returned.
 */
export async function eventCountsByBucket(db: Database, filter: EventFilter, bucket: StatsBucket): Promise<StatsRow[]> {
  const src = sourceFor(filter);
  const start =
    bucket === 'day'
      ? sql`date_trunc('day', ${src.eventTimestamp}, ${CENTRAL_TZ}::text)`
      : sql`date_trunc('hour', ${src.eventTimestamp} AT TIME ZONE 'UTC')`;
  // Epoch milliseconds as text: exact, and no time zone text for the driver to interpret.
  const startMs =
    bucket === 'day'
      ? sql<string>`(extract(epoch FROM ${start}) * 1000)::bigint::text`
      : sql<string>`(extract(epoch FROM ${start} AT TIME ZONE 'UTC') * 1000)::bigint::text`;
  const rows = await db
    .select({
      startMs,
      success: sql<string>`count(*) FILTER (WHERE ${src.status} = 'Success')`,
      failed: sql<string>`count(*) FILTER (WHERE ${src.status} = 'Failed')`,
    })
    .from(src)
    .where(and(...conditions(src, filter)))
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  return rows.map((r) => ({ startMs: Number(r.startMs), success: Number(r.success), failed: Number(r.failed) }));
}
