import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError, validationError } from './errors';

const JSON_CONTENT_TYPE = /^application\/([a-z.+-]*\+)?json(\s*;.*)?$/i;

/**
 * Reads and parses a request body once, before the route's validator, so that malformed JSON
 * is a 422 in FastAPI's shape and a non-JSON body a clear 415. Hono caches the text, so the
 * validator reads it again for free.
 */
export const parseJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpError(415, 'Unsupported Media Type: send the body as JSON with Content-Type: application/json');
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
