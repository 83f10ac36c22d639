import { describe, expect, it } from 'vitest';
import { toHttpError } from '../../src/lib/errors';

/** drizzle wraps a driver error in one whose message holds the SQL; the driver's is the cause. */
const failedQuery = (cause: unknown) => new Error('Failed query: SELECT 1', { cause });

describe('toHttpError: a lost connection is a 503 to retry, never a 500', () => {
  it.each([
    // workerd's socket, closed under pg while it writes a query (seen under load with the server
    // at max_connections): a TypeError, not a pg error, and it used to be answered 500.
    ['workerd socket closing', new TypeError('This ReadableStream belongs to an object that is closing.')],
    ['pg: server went away', new Error('Connection terminated unexpectedly')],
    ['too many clients', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
  ])('%s', (_name, cause) => {
    const error = toHttpError(failedQuery(cause));
    expect(error.status).toBe(503);
    expect(error.headers['Retry-After']).toBeDefined();
  });

  it('a programming error stays a 500', () => {
    expect(toHttpError(new TypeError("Cannot read properties of undefined (reading 'id')")).status).toBe(500);
  });
});
