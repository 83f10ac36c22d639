import { DurableObject } from 'cloudflare:workers';
import { type DatabaseHandle, openDatabase } from '../db/client';
import {
  commitHorizon,
  type EventFilter,
  eventsAfter,
  matchingEventsBetween,
  unusableKeyIds,
} from '../db/queries/events';
import { type Config, loadConfig } from '../env';
import { toEventObject } from '../lib/event-object';
import { createLogger, type Logger } from '../lib/logger';
import { routeRows } from './fan-out';
import { comparePositions, formatPosition, type Position, parsePosition, positionAtHorizon } from './position';
import { COALESCE_MS, ReadScheduler } from './read-scheduler';
import { auditFrame, type EndReason, endFrame, heartbeatFrame, joinFrames, openFrame } from './sse';
import { type StreamFilter, type Subscription, toEventFilter } from './subscription';

/** Rows per fan-out read and per catch-up page. */
const BATCH = 500;
/** While the horizon lags behind committed rows (a transaction is still open), poll again after this. */
const LAG_REPOLL_MS = 100;
/** A client this many bytes of frames behind is cut off (it reconnects and resumes from its position). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

interface OpenStream {
  writer: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView>;
  filter: StreamFilter;
  eventFilter: EventFilter;
  keyName: string;
  keyId: number | null;
  keyCheckMs: number;
  /** The last position this stream has passed; null until the object has its own position. */
  pos: Position | null;
  /** false while catching up from the database; the fan-out only writes to live streams. */
  live: boolean;
  heartbeatMs: number;
  /** When the stream last had something written: a keep-alive is due heartbeatMs after it. */
  lastWriteAt: number;
  closed: boolean;
}

/** What the object did, for the bench and operators: its database work is per tick, not per stream. */
export interface LiveTailStats {
  streams: number;
  fanOutReads: number;
  catchUpReads: number;
  keyChecks: number;
  notifications: number;
  cursor: string | null;
}

/** The fan-out reads' round trips kept per session, for its log line (bounded). */
const MAX_TIMED_READS = 10_000;

/**
 * The live tail's fan-out: one object per deployment holds every open stream. It does ONE
 * database read per tick for all of them (events after its own position, in (writexid, id)
 * order, below the commit horizon) and writes each event to the streams whose filter it matches.
 * Ticks come from create/batch notifications (coalesced), from a slow poll while streams are
 * open (a lost notification is still delivered) and, while the horizon lags behind rows it has
 * seen, from a quick re-poll. The ticks' reads have a connection of their own; catch-ups and key
 * checks use a second one, so a long catch-up never delays the live streams. A resuming stream
 * first reads its own catch-up from the database up to the object's position, then joins the fan-out in the same synchronous step that sees it
 * caught up, so nothing is skipped or sent twice. Writes are never awaited: a write only
 * resolves when the client reads, and a dead client shows up as a failed write.
 */
export class LiveTail extends DurableObject<Env> {
  private readonly streams = new Set<OpenStream>();
  private cursor: Position | null = null;
  /** Bumped when the object goes idle: reads begun before that are discarded. */
  private generation = 0;
  private starting: Promise<void> | null = null;
  /** The fan-out's connection: one read per tick, nothing else. */
  private handle: DatabaseHandle | null = null;
  /** Catch-ups and key checks: slower or rarer reads that must not hold up a tick. */
  private sideHandle: DatabaseHandle | null = null;
  private readonly reads = new ReadScheduler(COALESCE_MS, () => this.readOnce());
  private poller: ReturnType<typeof setInterval> | null = null;
  /** One keep-alive timer for every stream (200 timers cost the object more than the frames). */
  private heartbeats: { timer: ReturnType<typeof setInterval>; everyMs: number } | null = null;
  private nextKeyCheckAt = 0;
  private readonly counters = { fanOutReads: 0, catchUpReads: 0, keyChecks: 0, notifications: 0 };
  /** Since the object last left idle: logged when it goes idle again (operators, the bench). */
  private session = this.newSession(0);

  private get config(): Config {
    return loadConfig(this.env);
  }

  private get logger(): Logger {
    return createLogger(this.config.LOG_LEVEL, { component: 'live-tail' });
  }

  override async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/open' && request.method === 'POST') return this.open((await request.json()) as Subscription);
    if (path === '/stats') return Response.json(this.stats());
    return new Response('Not Found', { status: 404 });
  }

  /** Called (fire and forget) after events were committed. */
  async notify(): Promise<void> {
    this.counters.notifications += 1;
    if (this.streams.size > 0) this.reads.request(0);
  }

  stats(): LiveTailStats {
    return {
      streams: this.streams.size,
      ...this.counters,
      cursor: this.cursor ? formatPosition(this.cursor) : null,
    };
  }

  private async open(sub: Subscription): Promise<Response> {
    const limit = sub.settings.maxStreamsPerKey;
    let ofKey = 0;
    for (const s of this.streams) if (s.keyName === sub.key.name) ofKey += 1;
    if (ofKey >= limit) {
      return Response.json(
        {
          detail: `Too many open streams for API key ${sub.key.name}: the limit is ${limit}; close one, or retry later`,
        },
        { status: 429, headers: { 'Retry-After': '5' } },
      );
    }
    const after = sub.after === null ? null : parsePosition(sub.after);
    // The runtime's own byte stream: a write goes to the response without a turn through
    // JavaScript (a JS TransformStream ran its transform and a read for every chunk: the object's
    // biggest cost with 200 streams, docs/live-tail.md). Its desiredSize counts the queued bytes,
    // which measure how far behind a client is (a chunk is a tick's frames).
    const { readable, writable } = new IdentityTransformStream({ highWaterMark: 0 });
    const stream: OpenStream = {
      writer: writable.getWriter(),
      filter: sub.filter,
      eventFilter: toEventFilter(sub.filter),
      keyName: sub.key.name,
      keyId: sub.key.id,
      keyCheckMs: sub.settings.keyCheckMs,
      pos: null,
      live: false,
      closed: false,
      heartbeatMs: sub.settings.heartbeatMs,
      lastWriteAt: Date.now(),
    };
    // Counted at once, so concurrent opens cannot pass the limit together.
    const wasIdle = this.streams.size === 0;
    this.streams.add(stream);
    this.session.peakStreams = Math.max(this.session.peakStreams, this.streams.size);
    // A client that goes away errors the writable side: free its slot now, not at the next write.
    stream.writer.closed.catch(() => this.drop(stream));
    // The key is checked within its own period even if the running schedule was set by streams
    // with a longer one (e.g. opened before API_KEY_CACHE_TTL_SECONDS was lowered).
    if (stream.keyId !== null) this.nextKeyCheckAt = Math.min(this.nextKeyCheckAt, Date.now() + stream.keyCheckMs);
    try {
      if (wasIdle || !this.starting) this.starting = this.start();
      await this.starting;
    } catch (error) {
      this.drop(stream);
      throw error;
    }
    const cursor = this.cursor as Position;
    stream.pos = after ?? cursor;
    this.scheduleHeartbeats(stream.heartbeatMs);
    this.send(stream, openFrame(formatPosition(stream.pos)));
    if (comparePositions(stream.pos, cursor) < 0) {
      this.catchUp(stream).catch((error) => {
        this.logger.warn('live tail catch-up failed', { error: error instanceof Error ? error.name : 'unknown' });
        this.closeDb('side'); // a broken connection is opened again by the next catch-up or key check
        this.end(stream, 'error');
      });
    } else {
      stream.live = true;
    }
    return new Response(readable, {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform' },
    });
  }

  /** From idle: a fresh position at the commit horizon (only events from now on) and the timers. */
  private async start(): Promise<void> {
    this.generation += 1;
    this.session = this.newSession(Date.now());
    this.cursor = positionAtHorizon(await commitHorizon(this.db().db));
    this.poller ??= setInterval(() => this.poll(), this.config.LIVE_TAIL_POLL_MS);
  }

  private poll(): void {
    this.reads.request(0);
    const now = Date.now();
    if (now < this.nextKeyCheckAt) return;
    let every = Number.POSITIVE_INFINITY;
    for (const s of this.streams) if (s.keyId !== null) every = Math.min(every, s.keyCheckMs);
    if (every === Number.POSITIVE_INFINITY) return;
    this.nextKeyCheckAt = now + every;
    this.checkKeys().catch((error) => {
      this.logger.warn('live tail key check failed', { error: error instanceof Error ? error.name : 'unknown' });
      this.closeDb('side');
    });
  }

  /** Streams of revoked (or deleted) keys end, one query for all of them. */
  private async checkKeys(): Promise<void> {
    const ids = [...new Set([...this.streams].flatMap((s) => (s.keyId === null ? [] : [s.keyId])))];
    if (ids.length === 0) return;
    this.counters.keyChecks += 1;
    const unusable = new Set(await unusableKeyIds(this.sideDb().db, ids));
    for (const s of this.streams) if (s.keyId !== null && unusable.has(s.keyId)) this.end(s, 'revoked');
  }

  /** One tick (run by this.reads): never throws; a failed read is retried at the next tick. */
  private async readOnce(): Promise<void> {
    try {
      await this.fanOut();
    } catch (error) {
      this.logger.warn('live tail read failed', { error: error instanceof Error ? error.name : 'unknown' });
      this.closeDb('fan-out'); // reconnect on the next tick; the position is unchanged, nothing is lost
    }
  }

  private async fanOut(): Promise<void> {
    const from = this.cursor;
    const generation = this.generation;
    if (!from || this.streams.size === 0) return;
    this.counters.fanOutReads += 1;
    const startedAt = Date.now();
    const rows = await eventsAfter(this.db().db, from, BATCH);
    if (generation !== this.generation) return;
    if (this.session.readMs.length < MAX_TIMED_READS) this.session.readMs.push(Date.now() - startedAt);
    // From here to the end: no await, so a catch-up that sees this.cursor sees the streams' state.
    const { frames, cursor, lagging } = routeRows(rows, this.streams, from);
    this.cursor = cursor;
    for (const [s, list] of frames) this.send(s, joinFrames(list));
    // A full page (the read adds at most one waiting row to it): read on at once.
    if (rows.length >= BATCH) this.reads.request(0);
    else if (lagging) this.reads.request(LAG_REPOLL_MS);
  }

  /** Database rows from the stream's position up to the object's, then the live fan-out. */
  private async catchUp(stream: OpenStream): Promise<void> {
    const generation = this.generation;
    while (!stream.closed && generation === this.generation) {
      const target = this.cursor;
      if (!target || !stream.pos) return;
      if (comparePositions(stream.pos, target) >= 0) {
        stream.live = true; // same synchronous step as reading this.cursor: the next tick starts after it
        return;
      }
      this.counters.catchUpReads += 1;
      const rows = await matchingEventsBetween(this.sideDb().db, stream.eventFilter, stream.pos, target, BATCH);
      const frames: Uint8Array[] = [];
      for (const row of rows) {
        const pos: Position = { xid: BigInt(row.writexid), id: BigInt(row.id) };
        frames.push(auditFrame(formatPosition(pos), JSON.stringify(toEventObject(row))));
        stream.pos = pos;
      }
      if (frames.length > 0) this.send(stream, joinFrames(frames)); // a page, one chunk
      // A short page: every matching row up to target has been sent.
      if (rows.length < BATCH && comparePositions(stream.pos, target) < 0) stream.pos = target;
    }
  }

  private send(stream: OpenStream, frame: Uint8Array): void {
    if (stream.closed) return;
    const { desiredSize } = stream.writer;
    if (desiredSize !== null && desiredSize < -MAX_QUEUED_BYTES) {
      this.end(stream, 'slow-consumer');
      return;
    }
    stream.lastWriteAt = Date.now();
    stream.writer.write(frame).catch(() => this.drop(stream));
  }

  /**
   * Keep-alive comments only for streams that sent nothing for their heartbeat interval: a stream
   * that gets events needs none (under load, 200 streams' keep-alives were writes the object did
   * for nothing). The check runs four times per interval, so an idle stream gets one within
   * 1.25 intervals of its last write.
   */
  private scheduleHeartbeats(heartbeatMs: number): void {
    const everyMs = Math.max(25, Math.floor(heartbeatMs / 4));
    if (this.heartbeats && this.heartbeats.everyMs <= everyMs) return;
    if (this.heartbeats) clearInterval(this.heartbeats.timer);
    const timer = setInterval(() => {
      const now = Date.now();
      for (const s of this.streams) if (now - s.lastWriteAt >= s.heartbeatMs) this.send(s, heartbeatFrame());
    }, everyMs);
    this.heartbeats = { timer, everyMs };
  }

  /** Ends a stream on purpose: a last `end` frame saying why, then the close. */
  private end(stream: OpenStream, reason: EndReason): void {
    if (stream.closed) return;
    stream.writer.write(endFrame(reason)).catch(() => {});
    this.drop(stream);
  }

  private drop(stream: OpenStream): void {
    if (stream.closed) return;
    stream.closed = true;
    stream.writer.close().catch(() => {});
    this.streams.delete(stream);
    if (this.streams.size === 0) this.idle();
  }

  /** No streams: no timers, no connection; the next stream starts from a fresh position. */
  private idle(): void {
    // The database work of the session just ended: per tick, whatever the number of streams.
    const { startedAt, counters, peakStreams, readMs } = this.session;
    if (startedAt > 0) {
      const sorted = readMs.sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
      this.logger.info('live tail idle', {
        seconds: (Date.now() - startedAt) / 1000,
        peak_streams: peakStreams,
        notifications: this.counters.notifications - counters.notifications,
        fan_out_reads: this.counters.fanOutReads - counters.fanOutReads,
        // Each read's round trip as the object saw it (the query, the pool, the isolate's queue).
        fan_out_read_ms: { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? null },
        catch_up_reads: this.counters.catchUpReads - counters.catchUpReads,
        key_checks: this.counters.keyChecks - counters.keyChecks,
      });
    }
    this.session = this.newSession(0);
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
    if (this.heartbeats) clearInterval(this.heartbeats.timer);
    this.heartbeats = null;
    this.reads.stop();
    this.starting = null;
    this.cursor = null;
    this.generation += 1;
    this.closeDb('both');
  }

  private newSession(startedAt: number) {
    return { startedAt, counters: { ...this.counters }, peakStreams: this.streams.size, readMs: [] as number[] };
  }

  private db(): DatabaseHandle {
    this.handle ??= openDatabase(this.config, { statementTimeoutMs: this.config.QUERY_TIMEOUT_MS });
    return this.handle;
  }

  private sideDb(): DatabaseHandle {
    this.sideHandle ??= openDatabase(this.config, { statementTimeoutMs: this.config.QUERY_TIMEOUT_MS });
    return this.sideHandle;
  }

  /** The next read on it opens it again (after a failure, or when idle). */
  private closeDb(which: 'fan-out' | 'side' | 'both'): void {
    const closing =
      which === 'both' ? [this.handle, this.sideHandle] : [which === 'side' ? this.sideHandle : this.handle];
    for (const handle of closing) if (handle) this.ctx.waitUntil(handle.close());
    if (which !== 'side') this.handle = null;
    if (which !== 'fan-out') this.sideHandle = null;
  }
}
