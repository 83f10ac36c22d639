import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { type Database, type DatabaseHandle, openDatabase } from '../db/client';

export interface DeferredWork {
  what: string;
  task: (db: Database) => Promise<unknown>;
}

/**
 * Database work that must not slow the response (last_used_at, the audit of the auditors). It
 * is queued on the request and run by runDeferredWork in ctx.waitUntil after the response, on
 * the request's own connection when the request still holds it: an audited read then costs no
 * second connection. Work queued after that (from a streaming body) runs at once on a
 * connection of its own. Failures are logged (code only) and never reach the caller.
 */
export function afterResponse(c: Context<AppEnv>, what: string, task: (db: Database) => Promise<unknown>): void {
  const queue = c.var.deferredWork;
  if (queue) queue.push({ what, task });
  else later(c, runOn(c, undefined, [{ what, task }]));
}

/**
 * Runs the queued work, then closes the request's connection (`handle`, undefined when the
 * request opened none or a streaming body took it). Called once, by the request context.
 */
export function runDeferredWork(c: Context<AppEnv>, handle: DatabaseHandle | undefined): Promise<void> {
  const queue = c.var.deferredWork ?? [];
  c.set('deferredWork', null);
  return runOn(c, handle, queue);
}

async function runOn(c: Context<AppEnv>, handle: DatabaseHandle | undefined, queue: DeferredWork[]): Promise<void> {
  const { config, logger } = c.var;
  let own: DatabaseHandle | undefined;
  try {
    for (const { what, task } of queue) {
      if (!handle) own ??= openDatabase(config, { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
      const db = (handle ?? own)?.db;
      if (!db) continue;
      try {
        await task(db);
      } catch (error) {
        logger.warn(`${what} failed`, {
          error: error instanceof Error ? error.name : 'unknown',
          code: (error as { code?: string }).code,
        });
      }
    }
  } finally {
    await Promise.all([own?.close(), handle?.close()]);
  }
}

/** A connection of its own (not the request's) closed without making the response wait. */
export function closeAfterResponse(c: Context<AppEnv>, handle: DatabaseHandle): void {
  later(c, handle.close());
}

/** Keeps `work` running after the response (ctx.waitUntil), also if the client goes away. */
export function later(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // app.request in a script has no ExecutionContext: the work simply runs on.
  }
}
