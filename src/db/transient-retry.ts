import { sqlState } from './queries/errors';

/**
 * SQLSTATEs that mean "this statement lost a race with another one; the same statement run again
 * can succeed": 40P01 deadlock_detected and 40001 serialization_failure. The statement was rolled
 * back whole (every write of the service is one autocommit statement), so running it again
 * stores nothing twice (issue 13.11).
 */
export const TRANSIENT_CODES = new Set(['40P01', '40001']);

export const isTransient = (error: unknown): boolean => TRANSIENT_CODES.has(sqlState(error) ?? '');

export interface RetryOptions {
  /** Runs in all; the last failure is thrown (toHttpError makes it a 503 with Retry-After). */
  attempts: number;
  /** Told about each failure that is retried. */
  onRetry?: (code: string, attempt: number) => void;
}

/**
 * Runs `run` again after a deadlock or serialization failure, a bounded number of times, after a
 * short random pause (so two victims of one conflict do not meet again in step).
 */
export async function retryTransient<T>(run: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error)) throw error;
      options.onRetry?.(sqlState(error) ?? '', attempt);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
    }
  }
}
