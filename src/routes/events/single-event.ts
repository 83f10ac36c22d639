import type { Context } from 'hono';
import type { AppEnv } from '../../app-env';
import type { IngestRow } from '../../db/queries/events';
import { badRequest, forbidden, validationError } from '../../lib/errors';
import { type AcceptOutcome, acceptForQueue } from './accept-for-queue';
import { earliestEventMs, prepareEvent, unknownNameMessage } from './prepare-event';
import type { EventInput } from './schemas';

/**
 * One create body -> the row to store, refused exactly as POST /audit-events refuses it (company
 * scope 403, clock checks 422). Shared by create and enqueue so the two can never drift apart.
 */
export function prepareSingleEvent(c: Context<AppEnv>, input: EventInput): IngestRow {
  const { config, principal } = c.var;
  if (principal.companies !== null && !principal.companies.includes(input.company_id)) {
    throw forbidden(`This API key may not write events for company ${input.company_id}`);
  }
  const nowMs = Date.now();
  const prepared = prepareEvent(input, 0, {
    nowMs,
    maxFutureSkewSeconds: config.MAX_FUTURE_SKEW_SECONDS,
    earliestMs: earliestEventMs(config, nowMs),
    locPrefix: ['body'],
  });
  if ('issues' in prepared) throw validationError(prepared.issues);
  return prepared.row;
}

/** Queues one prepared event; a catalogue refusal is the same 400 a direct create gives. */
export async function queueSingleEvent(c: Context<AppEnv>, row: IngestRow): Promise<AcceptOutcome> {
  const outcome = await acceptForQueue(c, [row], () => ['body']);
  const refusal = outcome.refused[0]?.errors[0];
  if (refusal) throw badRequest(unknownNameMessage(refusal.type as 'unknown_functionality', row));
  return outcome;
}
