import { z } from '@hono/zod-openapi';
import { HttpError, validationError } from '../../lib/errors';
import { liveTailClient } from '../../live/client';
import { parsePosition } from '../../live/position';
import { relay } from '../../live/relay';
import { type Subscription, toStreamFilter } from '../../live/subscription';
import { defineRoute } from '../define-route';
import { errorResponse, errorResponses } from '../schemas';
import { EVENTS_TAGS } from './schemas';
import { FilterQuerySchema, toEventFilter } from './search-query';

const POSITION_HELP = 'the id of the last event received, `<writexid>-<id>`';

const StreamQuerySchema = FilterQuerySchema.pick({
  company_id: true,
  store_id: true,
  store_location_id: true,
  user: true,
  username: true,
  functionality: true,
  functionality_name: true,
  event_type: true,
  event_type_name: true,
  status: true,
  message_pattern: true,
}).extend({
  after: z
    .string()
    .max(60)
    .optional()
    .openapi({ description: `Resume after this position (${POSITION_HELP}); Last-Event-ID wins when both are sent` }),
});

export const streamRoute = defineRoute(
  {
    operationId: 'streamAuditEvents',
    scope: 'events:read',
    audit: 'Stream',
    route: 'GET /audit-events/stream',
    tags: EVENTS_TAGS,
    summary: 'Live tail: matching events as they are committed (server-sent events)',
    description: [
      'A `text/event-stream` of newly committed events matching the search filters (same names and dashboard aliases; no dates).',
      'Each event is a frame `id: <position>`, `event: audit`, `data: <the event, as in search>`. The first frame carries only `retry:` and `id:` (the position the stream starts after); a comment line comes when the stream has sent nothing for LIVE_TAIL_HEARTBEAT_MS (15 s).',
      'Reconnect with `Last-Event-ID: <position>` (or `?after=<position>`) to get every matching event committed since, exactly once, then the live ones; events are ordered by commit, so a late commit is never skipped.',
      'The server ends a stream with `event: end` and `data: {"reason": ..., "reconnect": ...}`: `revoked` (the key was revoked; do not reconnect), `restart` (deploy or restart), `slow-consumer`, `error`; reconnect with the last id.',
      'Needs events:read; a company-bound key sees only its companies. At most LIVE_TAIL_MAX_STREAMS_PER_KEY open streams per key (429 past it).',
    ].join('\n\n'),
    request: {
      query: StreamQuerySchema,
      headers: z.object({
        'last-event-id': z
          .string()
          .max(60)
          .optional()
          .openapi({ description: `Resume after ${POSITION_HELP}` }),
      }),
    },
    responses: {
      200: {
        description: 'The stream (text/event-stream); it stays open until the client or the server ends it',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      403: errorResponse('The key lacks events:read'),
      429: errorResponse('This key already has LIVE_TAIL_MAX_STREAMS_PER_KEY open streams; Retry-After'),
      ...errorResponses,
    },
  },
  async (c) => {
    const query = c.req.valid('query');
    const { config, principal } = c.var;
    const after = resumePosition(c.req.header('last-event-id'), query.after);
    const filter = toEventFilter(query, principal);
    const liveTail = liveTailClient(c.env);
    if (!liveTail) throw new HttpError(503, 'Live tail is not configured (LIVE_TAIL binding missing)');
    const subscription: Subscription = {
      filter: toStreamFilter(filter),
      after,
      key: { name: principal.name, id: principal.keyId },
      settings: {
        heartbeatMs: config.LIVE_TAIL_HEARTBEAT_MS,
        keyCheckMs: Math.max(1000, config.API_KEY_CACHE_TTL_SECONDS * 1000),
        maxStreamsPerKey: config.LIVE_TAIL_MAX_STREAMS_PER_KEY,
      },
    };
    const answer = await liveTail.open(subscription);
    if (answer.status !== 200 || !answer.body) {
      const { detail } = (await answer.json().catch(() => ({ detail: 'Live tail unavailable' }))) as { detail: string };
      const retryAfter = answer.headers.get('Retry-After');
      throw new HttpError(
        answer.status === 429 ? 429 : 503,
        detail,
        {},
        retryAfter ? { 'Retry-After': retryAfter } : {},
      );
    }
    return new Response(relay(answer.body), {
      status: 200,
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        // Proxies such as nginx would otherwise buffer the stream.
        'X-Accel-Buffering': 'no',
      },
    }) as never;
  },
);

function resumePosition(header: string | undefined, query: string | undefined): string | null {
  const [raw, loc] = header ? [header, ['header', 'last-event-id']] : [query, ['query', 'after']];
  if (raw === undefined || raw.trim() === '') return null;
  const position = parsePosition(raw);
  if (!position)
    throw validationError([{ loc, msg: `Invalid position '${raw}'; send ${POSITION_HELP}`, type: 'value_error' }]);
  return raw.trim();
}
