import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { type Database, type DatabaseHandle, openDatabase } from '../db/client';

/**
 * Database work that must not slow the response (last_used_at, the audit of the auditors): it
 * runs in ctx.waitUntil on a connection of its own, because the request's connection is closed
 * as soon as the response is ready. Failures are logged (code only) and never reach the caller.
 */
export function afterResponse(c: Context<AppEnv>, what: string, task: (db: Database) => Promise<unknown>): void {
  const { config, logger } = c.var;
  const run = async () => {
    let handle: ReturnType<typeof openDatabase> | undefined;
    try {
      handle = openDatabase(config, { statementTimeoutMs: config.QUERY_TIMEOUT_MS });
      await task(handle.db);
    } catch (error) {
      logger.warn(`${what} failed`, {
        error: error instanceof Error ? error.name : 'unknown',
        code: (error as { code?: string }).code,
      });
    } finally {
      await handle?.close();
    }
  };
  later(c, run());
}

/** A connection of its own (not the request's) closed without making the response wait. */
export function closeAfterResponse(c: Context<AppEnv>, handle: DatabaseHandle): void {
  later(c, handle.close());
}

function later(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // app.request in a script has no ExecutionContext: the work simply runs on.
  }
}
