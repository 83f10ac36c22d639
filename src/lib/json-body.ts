import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError, validationError } from './errors';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const JSON_CONTENT_TYPE = /^application\/([a-z.+-]*\+)?json(\s*;.*)?$/i;

/**
 * Reads and parses a request body once, before the route's validator, so that malformed JSON
 * is a 422 in FastAPI's shape and a non-JSON body a clear 415. Hono caches the bytes, so the
 * validator reads them again for free.
 */
export const parseJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type') ?? '';
  const bytes = await c.req.arrayBuffer();
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpError(415, 'Unsupported Media Type: send the body as JSON with Content-Type: application/json');
  }
  // JSON is UTF-8. A lenient decoder would store U+FFFD where the caller's bytes were: refuse.
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw validationError([
      { loc: ['body'], msg: 'Body is not valid UTF-8; send JSON encoded as UTF-8', type: 'unicode_decode' },
    ]);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw validationError([
      {
        loc: ['body'],
        msg: `JSON decode error: ${error instanceof Error ? error.message : 'invalid JSON'}`,
        type: 'json_invalid',
      },
    ]);
  }
  return next();
};
